using System.Globalization;
using Outpost.Backends.Batch;
using Outpost.Processes;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Builds the sbatch, squeue, sacct and scancel commands as argument lists (with the configured exec prefix and
/// environment) and reads their output. It runs nothing itself.
/// </summary>
public sealed class SlurmCli(SlurmBackendOptions options)
{
    /// <summary>
    /// squeue's output format: id, state, batch host, start time (for a pending job Slurm's estimate, or N/A), reason.
    /// The reason comes last because it may hold anything.
    /// </summary>
    public const string QueueFormat = "%i|%T|%B|%S|%r";

    /// <summary>sacct's fields, printed with <c>-P</c> (separated by '|').</summary>
    public const string AccountingFields = "JobID,State,ExitCode,NodeList";

    /// <summary>Submits a script on standard input; <paramref name="jobEnvironment"/> is what the job receives through <c>--export</c>.</summary>
    public CommandSpec Submit(string script, string user, IReadOnlyDictionary<string, string> jobEnvironment) =>
        BatchCommands.WithJob(Build(options.ExecPrefix, options.Sbatch, ["--parsable"], user), script, jobEnvironment);

    public CommandSpec Queue(string jobId, string user) =>
        Build(options.QueryExecPrefix, options.Squeue, ["-h", "-j", jobId, "-t", "all", "-o", QueueFormat], user);

    public CommandSpec Accounting(string jobId, string user) =>
        Build(options.QueryExecPrefix, options.Sacct, ["-n", "-P", "-X", "-j", jobId, "-o", AccountingFields], user);

    public CommandSpec Cancel(string jobId, string user) =>
        Build(options.ExecPrefix, options.Scancel, [jobId], user);

    /// <summary>
    /// <c>sinfo</c>, one line per partition (name, availability, node count, node states), for <c>outpost check</c>.
    /// A check has no user, so an exec prefix that names <c>{username}</c> is left out (as are the next two).
    /// </summary>
    public CommandSpec Info() =>
        Build(BatchCommands.WithoutUser(options.QueryExecPrefix), options.Sinfo, ["-h", "-o", "%P %a %D %T"], "");

    /// <summary><c>sbatch --test-only</c> of a script that only runs <c>true</c>: Slurm would accept a job; nothing is submitted.</summary>
    public CommandSpec TestSubmit() =>
        Build(BatchCommands.WithoutUser(options.ExecPrefix), options.Sbatch, ["--test-only"], "") with
        {
            StandardInput = "#!/bin/sh\ntrue\n",
        };

    /// <summary>The job id from <c>sbatch --parsable</c> ("123" or "123;cluster" on the last line).</summary>
    public static string ParseSubmit(CommandResult result)
    {
        if (!result.Succeeded)
        {
            throw new BackendException($"Slurm refused the job: {Summary(result)}");
        }
        var last = Lines(result.StandardOutput).LastOrDefault() ?? "";
        var id = last.Split(';')[0].Trim();
        return BatchValues.IsJobId(id)
            ? id
            : throw new BackendException("sbatch did not print a job id; the job may not have been submitted.");
    }

    /// <summary>Reads squeue's answer. "Invalid job id" and an empty answer both mean Slurm no longer knows the job.</summary>
    public static SlurmQuery ParseQueue(string jobId, CommandResult result)
    {
        if (!result.Succeeded)
        {
            return result.StandardError.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)
                ? SlurmQuery.NotFound
                : SlurmQuery.Failed($"squeue: {Summary(result)}");
        }
        foreach (var line in Lines(result.StandardOutput))
        {
            var fields = line.Split('|', 5);
            if (fields.Length == 5 && fields[0].Trim() == jobId)
            {
                var node = fields[2].Trim();
                var state = StateWord(fields[1]);
                var start = SlurmJobState.PhaseOf(state) == SlurmJobPhase.Pending ? EstimatedStart(fields[3]) : "";
                return SlurmQuery.Found(new SlurmJobState(
                    jobId, state, node is "n/a" or "(null)" ? "" : node, fields[4].Trim()) { EstimatedStart = start });
            }
        }
        return SlurmQuery.NotFound;
    }

    /// <summary>Reads sacct's answer; any failure (accounting disabled, database down) is <see cref="SlurmQueryOutcome.Failed"/>.</summary>
    public static SlurmQuery ParseAccounting(string jobId, CommandResult result)
    {
        if (!result.Succeeded)
        {
            return SlurmQuery.Failed($"sacct: {Summary(result)}");
        }
        foreach (var line in Lines(result.StandardOutput))
        {
            var fields = line.Split('|');
            if (fields.Length >= 3 && fields[0].Trim() == jobId)
            {
                int? exitCode = int.TryParse(fields[2].Split(':')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                    ? code
                    : null;
                var node = fields.Length >= 4 ? fields[3].Trim() : "";
                return SlurmQuery.Found(new SlurmJobState(
                    jobId, StateWord(fields[1]), node is "None assigned" ? "" : node, "", exitCode));
            }
        }
        return SlurmQuery.NotFound;
    }

    /// <summary>Whether scancel's failure only says the job is already gone.</summary>
    public static bool CancelFoundNothing(CommandResult result) =>
        result.StandardError.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)
        || result.StandardError.Contains("already completing or completed", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first line of stderr (or stdout), for messages (<see cref="BatchCommands.Summary"/>).</summary>
    public static string Summary(CommandResult result) => BatchCommands.Summary(result);

    private CommandSpec Build(string[] prefix, string program, IReadOnlyList<string> arguments, string user) =>
        BatchCommands.Build(options, prefix, program, arguments, user);

    /// <summary>Slurm's estimate as it prints it (e.g. 2026-12-06T09:30:00, the controller's local time); "" when it has none.</summary>
    private static string EstimatedStart(string field)
    {
        var text = field.Trim();
        return text.Length is > 0 and <= 32 && text.All(c => char.IsAsciiDigit(c) || c is '-' or ':' or 'T')
            && text.Any(char.IsAsciiDigit) ? text : "";
    }

    private static string StateWord(string state)
    {
        var word = state.Trim().Split(' ', 2)[0].TrimEnd('+').ToUpperInvariant();
        return word.Length == 0 ? "UNKNOWN" : word;
    }

    private static IEnumerable<string> Lines(string text) => BatchCommands.Lines(text);
}
