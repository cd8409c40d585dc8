using Outpost.Processes;

namespace Outpost.Backends.Batch;

/// <summary>Building scheduler commands (exec prefix, environment, timeout) and reading their output, for every scheduler.</summary>
public static class BatchCommands
{
    /// <summary>
    /// The command <paramref name="prefix"/> + <paramref name="program"/> + <paramref name="arguments"/> with
    /// <c>{username}</c> in the prefix replaced by <paramref name="user"/>, the options' command environment and timeout.
    /// </summary>
    public static CommandSpec Build(BatchBackendOptions options, string[] prefix, string program, IReadOnlyList<string> arguments, string user)
    {
        var words = prefix.Select(word => word.Replace("{username}", user, StringComparison.Ordinal))
            .Append(program)
            .Concat(arguments)
            .ToList();
        return new CommandSpec
        {
            FileName = words[0],
            Arguments = words.Skip(1).ToList(),
            Environment = options.CommandEnvironment.ToDictionary(e => e.Key, e => (string?)e.Value, StringComparer.Ordinal),
            Timeout = TimeSpan.FromSeconds(options.CommandTimeoutSeconds),
        };
    }

    /// <summary>
    /// A submit command: the script on standard input and the job's variables in the command's environment, on top
    /// of the command environment, so that no value appears on an argument list.
    /// </summary>
    public static CommandSpec WithJob(CommandSpec command, string script, IReadOnlyDictionary<string, string> jobEnvironment)
    {
        var environment = new Dictionary<string, string?>(command.Environment, StringComparer.Ordinal);
        foreach (var (name, value) in jobEnvironment)
        {
            environment[name] = value;
        }
        return command with { Environment = environment, StandardInput = script };
    }

    /// <summary>The prefix, or none when it names <c>{username}</c>: a check has no user, so such a prefix is left out.</summary>
    public static string[] WithoutUser(string[] prefix) =>
        prefix.Any(word => word.Contains("{username}", StringComparison.Ordinal)) ? [] : prefix;

    /// <summary>The first line of stderr (or stdout), for messages; never the environment or input.</summary>
    public static string Summary(CommandResult result)
    {
        var line = Lines(result.StandardError).FirstOrDefault() ?? Lines(result.StandardOutput).FirstOrDefault();
        return line is null ? $"exit code {result.ExitCode}" : Truncate(line, 300);
    }

    /// <summary>The non-blank lines of a command's output.</summary>
    public static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0);

    public static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
