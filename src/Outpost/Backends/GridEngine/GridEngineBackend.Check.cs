using Outpost.Backends.Batch;
using Outpost.Checks;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// <c>outpost check</c>: the qmaster answers <c>qhost</c> and at least one execution host reports a load, and
/// <c>qstat -g c</c> lists the cluster queues. Both run as the Outpost's own user with <c>CommandEnvironment</c>, so a
/// wrong <c>SGE_ROOT</c> or <c>SGE_CELL</c> shows here.
/// </summary>
public sealed partial class GridEngineBackend : IBackendCheck
{
    public async Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var subject = $"Backend {Name}";
        const string down = "start sge_qmaster, or set Outpost:Backends:GridEngine:CommandEnvironment:SGE_ROOT and SGE_CELL to the cluster's";
        var (hosts, hostsError) = await _jobs.TryRunAsync(_cli.Hosts(), cancellationToken);
        if (hostsError is not null)
        {
            return [CheckLine.Fail(subject, $"`{_options.Qhost}` cannot run: {hostsError}", "install the Grid Engine client commands here, or set Outpost:Backends:GridEngine:Qhost to qhost's path")];
        }
        if (!hosts!.Succeeded)
        {
            return [CheckLine.Fail(subject, $"qhost fails: {BatchCommands.Summary(hosts)}", down)];
        }
        // qhost prints a header, a "global" line, then one line per execution host: name, arch, ncpu, load …
        var reporting = BatchCommands.Lines(hosts.StandardOutput)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 4 && f[0] is not ("HOSTNAME" or "global") && !f[0].StartsWith('-'))
            .ToList();
        var up = reporting.Where(f => f[3] != "-").Select(f => f[0]).ToList();
        var lines = new List<CheckLine>
        {
            up.Count > 0
                ? CheckLine.Ok(subject, $"qhost answers: {up.Count} of {reporting.Count} execution host{(reporting.Count == 1 ? "" : "s")} report a load ({string.Join(", ", up.Take(5))})")
                : CheckLine.Fail(subject, $"qhost answers, but none of {reporting.Count} execution hosts reports a load", "start sge_execd on the execution hosts"),
        };

        var (queues, queuesError) = await _jobs.TryRunAsync(_cli.QueueSummary(), cancellationToken);
        lines.Add(queuesError is not null || queues is not { Succeeded: true }
            ? CheckLine.Fail(subject, $"qstat -g c fails: {queuesError ?? BatchCommands.Summary(queues!)}", "install the Grid Engine client commands here, or set Outpost:Backends:GridEngine:Qstat to qstat's path")
            : CheckLine.Ok(subject, $"qstat -g c lists the queues: {string.Join(", ", QueueNames(queues.StandardOutput))}"));
        return lines;
    }

    private static IEnumerable<string> QueueNames(string output) =>
        BatchCommands.Lines(output)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 1 && f[0] != "CLUSTER" && !f[0].StartsWith('-'))
            .Select(f => f[0]);
}
