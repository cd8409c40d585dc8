using System.CommandLine;
using Outpost.Processes;

namespace Outpost.Hosting;

/// <summary>How every <c>outpost</c> command line is parsed and run (System.CommandLine, configured once).</summary>
internal static class CommandLineInvocation
{
    // No response files: an argument starting with '@' is a value (a path, a URL), never a file to expand.
    private static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    public static ParseResult Parse(Command command, IReadOnlyList<string> args) => command.Parse(args, Parser);

    /// <summary>
    /// Runs the parsed command. Exceptions reach the caller (it reports configuration errors), and signals stay with
    /// the host: <c>serve</c> shuts down on SIGTERM as the generic host does, not on the parser's timeout.
    /// </summary>
    public static Task<int> InvokeAsync(ParseResult result, TextWriter output, TextWriter error) =>
        result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });

    /// <summary>
    /// A command line that does not parse: a group (<c>outpost</c>, <c>outpost hub</c>) without its subcommand shows
    /// <paramref name="usage"/>; a command with a wrong option names the problem. Exit code 2 either way.
    /// </summary>
    public static int BadUsage(ParseResult result, TextWriter error, string usage)
    {
        if (result.CommandResult.Command.Action is null)
        {
            error.WriteLine(usage);
            return 2;
        }
        foreach (var problem in result.Errors)
        {
            error.WriteLine($"outpost: {problem.Message}");
        }
        return 2;
    }
}
