using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Outpost.Backends.Batch;
using Outpost.Processes;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// Builds the qsub, qstat, qacct and qdel commands as argument lists (with the configured exec prefix and
/// environment) and reads their output. It runs nothing itself.
/// </summary>
public sealed class GridEngineCli(GridEngineBackendOptions options)
{
    /// <summary>Submits a script on standard input; the job's variables travel in qsub's environment and are only named in the script (<c>-v NAME</c>).</summary>
    public CommandSpec Submit(string script, string user, IReadOnlyDictionary<string, string> jobEnvironment) =>
        BatchCommands.WithJob(Build(options.ExecPrefix, options.Qsub, ["-terse"], user), script, jobEnvironment);

    /// <summary>
    /// The jobs of the job's owner as XML (<c>qstat -xml -u USER</c>; every user's, <c>-u *</c>, when jobs run as the
    /// Outpost's own user): qstat's list has no filter for one job id, so the job is picked out of it.
    /// </summary>
    public CommandSpec Queue(string user) =>
        Build(options.QueryExecPrefix, options.Qstat, ["-xml", "-u", user.Length > 0 ? user : "*"], user);

    /// <summary>One job's details, whose "scheduling info" says why it waits (<c>qstat -j ID</c>).</summary>
    public CommandSpec Details(string jobId, string user) =>
        Build(options.QueryExecPrefix, options.Qstat, ["-j", jobId], user);

    public CommandSpec Accounting(string jobId, string user) =>
        Build(options.QueryExecPrefix, options.Qacct, ["-j", jobId], user);

    public CommandSpec Cancel(string jobId, string user) =>
        Build(options.ExecPrefix, options.Qdel, [jobId], user);

    /// <summary><c>qhost</c>: the execution hosts and their load, for <c>outpost check</c> (an exec prefix naming <c>{username}</c> is left out).</summary>
    public CommandSpec Hosts() =>
        Build(BatchCommands.WithoutUser(options.QueryExecPrefix), options.Qhost, [], "");

    /// <summary><c>qstat -g c</c>: the cluster queues and their free slots, for <c>outpost check</c>.</summary>
    public CommandSpec QueueSummary() =>
        Build(BatchCommands.WithoutUser(options.QueryExecPrefix), options.Qstat, ["-g", "c"], "");

    /// <summary>The job id from <c>qsub -terse</c> (the id alone on the last line).</summary>
    public static string ParseSubmit(CommandResult result)
    {
        if (!result.Succeeded)
        {
            throw new BackendException($"Grid Engine refused the job: {BatchCommands.Summary(result)}");
        }
        var id = (BatchCommands.Lines(result.StandardOutput).LastOrDefault() ?? "").Trim();
        return BatchValues.IsJobId(id)
            ? id
            : throw new BackendException("qsub did not print a job id; the job may not have been submitted.");
    }

    /// <summary>Reads <c>qstat -xml</c>: a job not in the list is not known to the queue (ended, or never existed).</summary>
    public static BatchQuery ParseQueue(string jobId, CommandResult result)
    {
        if (!result.Succeeded)
        {
            return BatchQuery.Failed($"qstat: {BatchCommands.Summary(result)}");
        }
        XDocument document;
        try
        {
            document = XDocument.Parse(result.StandardOutput);
        }
        catch (XmlException e)
        {
            return BatchQuery.Failed($"qstat: its XML cannot be read ({e.Message})");
        }
        var job = document.Descendants("job_list")
            .FirstOrDefault(j => ((string?)j.Element("JB_job_number"))?.Trim() == jobId);
        if (job is null)
        {
            return BatchQuery.NotFound;
        }
        var state = ((string?)job.Element("state") ?? "").Trim();
        var queue = ((string?)job.Element("queue_name") ?? "").Trim();
        var node = queue.Contains('@') ? queue[(queue.IndexOf('@') + 1)..] : "";
        var phase = PhaseOf(state);
        var wait = phase != BatchJobPhase.Pending ? "" : state.Contains('h') ? "queued: held" : "queued";
        return BatchQuery.Found(new BatchJobState(jobId, state.Length == 0 ? "unknown" : state, phase, node, wait));
    }

    /// <summary>
    /// What Grid Engine's state letters mean: <c>E</c> (error; the job will not run) ended; <c>d</c> (being deleted)
    /// and <c>s S T</c> (suspended) alive but not serving; <c>r</c> running (also <c>hr</c>, <c>Rr</c>); <c>q w t</c> queued.
    /// </summary>
    public static BatchJobPhase PhaseOf(string state) =>
        state.Contains('E') ? BatchJobPhase.Ended
        : state.Contains('d') ? BatchJobPhase.Other
        : state.IndexOfAny(['s', 'S', 'T']) >= 0 ? BatchJobPhase.Other
        : state.Contains('r') ? BatchJobPhase.Running
        : state.IndexOfAny(['q', 'w', 't']) >= 0 ? BatchJobPhase.Pending
        : BatchJobPhase.Other;

    /// <summary>
    /// The messages under "scheduling info:" in <c>qstat -j</c> (the scheduler's reasons a job waits), joined; "" when
    /// there are none or the scheduler does not collect them (<c>schedd_job_info false</c>).
    /// </summary>
    public static string ParseSchedulingInfo(CommandResult result)
    {
        if (!result.Succeeded)
        {
            return "";
        }
        var messages = new List<string>();
        var inInfo = false;
        foreach (var line in result.StandardOutput.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.StartsWith("scheduling info:", StringComparison.Ordinal))
            {
                inInfo = true;
                messages.Add(line["scheduling info:".Length..].Trim());
            }
            else if (inInfo && line.Length > 0 && char.IsWhiteSpace(line[0]))
            {
                messages.Add(line.Trim());
            }
            else
            {
                inInfo = false;
            }
        }
        var useful = messages
            .Where(m => m.Length > 0 && !m.StartsWith('(') && !m.Equals("There are no messages available", StringComparison.OrdinalIgnoreCase))
            .Select(m => new string(m.Select(c => char.IsControl(c) ? ' ' : c).ToArray()))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return BatchCommands.Truncate(string.Join("; ", useful), 300);
    }

    /// <summary>Reads <c>qacct -j ID</c> (the last record when there are several); "not found" means accounting does not know the job.</summary>
    public static BatchQuery ParseAccounting(string jobId, CommandResult result)
    {
        if (!result.Succeeded)
        {
            return (result.StandardError + result.StandardOutput).Contains("not found", StringComparison.OrdinalIgnoreCase)
                ? BatchQuery.NotFound
                : BatchQuery.Failed($"qacct: {BatchCommands.Summary(result)}");
        }
        Dictionary<string, string>? last = null;
        Dictionary<string, string>? record = null;
        foreach (var line in BatchCommands.Lines(result.StandardOutput))
        {
            if (line.StartsWith("=====", StringComparison.Ordinal))
            {
                record = new Dictionary<string, string>(StringComparer.Ordinal);
                continue;
            }
            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (record is not null && parts.Length == 2)
            {
                record[parts[0]] = parts[1];
                if (parts[0] == "jobnumber" && parts[1] == jobId)
                {
                    last = record;
                }
            }
        }
        if (last is null)
        {
            return BatchQuery.NotFound;
        }
        var failed = last.GetValueOrDefault("failed", "0");
        int? exit = int.TryParse(last.GetValueOrDefault("exit_status"), NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null;
        var failedCode = failed.Split(':')[0].Trim();
        var state = failedCode == "0" ? $"exit status {exit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}" : $"failed ({BatchCommands.Truncate(failed, 120)})";
        var node = last.GetValueOrDefault("hostname", "");
        return BatchQuery.Found(new BatchJobState(jobId, state, BatchJobPhase.Ended, node is "NONE" ? "" : node, "",
            failedCode == "0" ? exit : exit is > 0 ? exit : 1)
        {
            Succeeded = failedCode == "0" && exit == 0,
        });
    }

    /// <summary>Whether qdel's failure only says the job is already gone.</summary>
    public static bool CancelFoundNothing(CommandResult result) =>
        (result.StandardError + result.StandardOutput).Contains("does not exist", StringComparison.OrdinalIgnoreCase);

    private CommandSpec Build(string[] prefix, string program, IReadOnlyList<string> arguments, string user) =>
        BatchCommands.Build(options, prefix, program, arguments, user);
}
