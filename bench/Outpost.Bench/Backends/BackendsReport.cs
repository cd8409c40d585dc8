using System.Globalization;
using System.Text;

namespace Outpost.Bench.Backends;

/// <summary>
/// P11's marked section of <c>bench/RESULTS.md</c>, and its rows in the file's summary table (<see cref="Write"/>
/// replaces both and keeps the rest of the file; a full <c>scripts/bench</c> run carries them over).
/// </summary>
public static class BackendsReport
{
    public const string Begin = "<!-- scripts/bench P11: begin -->";
    public const string End = "<!-- scripts/bench P11: end -->";
    public const string RowPrefix = "| P11 |";
    private const string Target = "say each figure and ratio";
    private const string Measured = "measured";

    public static string Section(BackendsResults r, BenchOptions options, string command, DateTimeOffset started, string loadBefore, string loadAfter, TimeSpan took)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        var local = BackendArm.Local;

        Line(Begin);
        Line("## P11: P1–P5 on the Spawner and Container backends, next to the Local backend");
        Line();
        Line($"Written by `{command}`; a full `scripts/bench` run keeps this section and its summary rows.");
        Line();
        Line($"- Date: {started.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the run took {took.TotalSeconds:0} s. Machine: {Machine.Cores} cores ({Machine.Cpu}), {Machine.Memory} memory.");
        Line($"- Load average before: {loadBefore}; after: {loadAfter}. Other work shared the machine.");
        Line($"- Each backend has its own Outpost process (`bench/Outpost.BenchHost outpost`, {options.Runtime}) with its own SQLite file, configured with the Local backend and the measured one, chosen by the start's profile; the measurements of the backends are interleaved, so each figure has the Local backend's from the same minutes beside it.");
        Line("- **Local**: the local-process backend running `bench/hubscale/tinyserver.c` (static, about 1 MB resident; the start waits until it listens).");
        Line("  **Spawner**: the supervised Python spawner host (`spawnerhost/`, Debian's JupyterHub) running `bench/spawner/benchspawners.py`'s `MarkerSpawner`: no process, its server is a file, so it outlives the host and an Outpost restart; the figures are the bridge's cost (HTTP, store, the C# backend, the pipe, the host building the spawner) with a spawner that takes no time of its own.");
        Line($"  **Container**: {r.Engine}; every server a container of a one-file image holding the same tinyserver (host network, the backend's defaults: read-only root, no capabilities); the start waits until it listens; a poll inspects the container through the engine's API.");
        Line($"- Sizes: {r.Servers:N0} running servers per backend for P1, P4 and P5 (P1–P5 use 1,000 and 10,000 with the instant backend; on 2 cores shared with other work, 10,000 containers or even 1,000 do not fit: {ContainerRate(r)}, and each container keeps a conmon process); {r.BurstSize} concurrent starts for P3 (200 with the instant backend); {r.StartStops[0].StartMs.Count} single starts and stops per backend for P2; {options.Runs} P1 rounds of {options.Duration.TotalSeconds:0} s after {options.Warmup.TotalSeconds:0} s of warm-up; {r.Restarts[0].FirstRunningSeconds.Count} restarts for P5. Figures are medians.");
        Line();
        Line("| id | measure | figure | baseline (same run) | ratio | target | result |");
        Line("|---|---|---|---|---:|---|---|");
        foreach (var row in SummaryRows(r, options))
        {
            Line(row);
        }
        Line();
        Line("Ratios are figure / Local backend's figure (for P1, throughput: below 1 is slower).");
        Line();

        Line("### P1: poll throughput");
        Line();
        Line($"`GET /services/{{name}}/{{start_id}}` round robin over the backend's {r.Servers:N0} running servers (wrk, keep-alive, HTTP Basic), as in P1.");
        Line();
        Line("| backend | connections | req/s | p50 / p99 (ms) | ratio to Local | errors |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (var connections in options.Connections)
        {
            foreach (var arm in r.Arms)
            {
                var runs = r.Polls.Where(p => p.Arm == arm && p.Load.Connections == connections).ToList();
                Line($"| {arm.Name} | {connections} | {N(Stats.Median(runs.Select(p => p.Load.RequestsPerSecond)))} | " +
                     $"{F(Stats.Median(runs.Select(p => p.Load.P50Ms)))} / {F(Stats.Median(runs.Select(p => p.Load.P99Ms)))} | " +
                     $"{(arm.IsBaseline ? "1.00" : F(PollRatio(r, arm, connections)))} | {runs.Sum(p => p.Load.Errors)} |");
            }
        }
        Line();
        Line("Each round (req/s):");
        Line();
        Line($"| round | connections | {string.Join(" | ", r.Arms.Select(a => a.Name))} |");
        Line($"|---:|---:|{string.Concat(r.Arms.Select(_ => "---:|"))}");
        foreach (var group in r.Polls.GroupBy(p => (p.Round, p.Load.Connections)))
        {
            Line($"| {group.Key.Round} | {group.Key.Connections} | {string.Join(" | ", r.Arms.Select(a => N(group.First(p => p.Arm == a).Load.RequestsPerSecond)))} |");
        }
        Line();

        Line("### P2: one sync start and one sync stop");
        Line();
        Line("| backend | start p50 / p95 (ms) | stop p50 / p95 (ms) | start ratio to Local | stop ratio to Local |");
        Line("|---|---:|---:|---:|---:|");
        var localSs = r.StartStops.First(s => s.Arm == local);
        foreach (var s in r.StartStops)
        {
            Line($"| {s.Arm.Name} | {F(Stats.Median(s.StartMs))} / {F(Stats.Percentile(s.StartMs, 95))} | {F(Stats.Median(s.StopMs))} / {F(Stats.Percentile(s.StopMs, 95))} | " +
                 $"{F(Stats.Median(s.StartMs) / Stats.Median(localSs.StartMs))} | {F(Stats.Median(s.StopMs) / Stats.Median(localSs.StopMs))} |");
        }
        Line();

        Line($"### P3: {r.BurstSize} concurrent sync starts");
        Line();
        Line($"{r.BurstSize} sync `POST /services` at once over already open connections; wall time from the first request to the last answer; then all {r.BurstSize} stopped, {string.Join(", ", r.Arms.Select(a => $"{a.Name} {a.Parallel}"))} at a time.");
        Line();
        Line("| backend | run | wall (s) | errors | per start p50 / p99 (ms) | stopping them all (s) | stop errors |");
        Line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var b in r.Bursts.OrderBy(b => r.Arms.ToList().IndexOf(b.Arm)).ThenBy(b => b.Burst.Run))
        {
            Line($"| {b.Arm.Name} | {b.Burst.Run} | {b.Burst.WallSeconds:0.000} | {b.Burst.Errors}{(b.Burst.FirstError is { } e ? $" ({Escape(e)})" : "")} | {b.Burst.P50Ms:0} / {b.Burst.P99Ms:0} | {b.StopAllSeconds:0.0} | {b.StopErrors} |");
        }
        Line();

        Line("### P4 and P5: memory and restart");
        Line();
        Line($"Resident sets (VmRSS): the Outpost, settled after a forced full collection, with no servers (after 3 starts and stops, so the backend is warm: the spawner host runs) and with {r.Servers:N0} running, all polled once; the backend's own processes at the same moments: the Local backend's servers (the Outpost's descendants), the spawner host and its keeper, or Podman's service with each container's conmon and process. 1 KB = 1,000 bytes. With {r.Servers:N0} servers the Outpost's own growth is within its noise (about a MiB either way from one collection to the next), so its per-server figure says little; the backend's processes are what grows.");
        Line();
        Line("| backend | Outpost idle (MiB) | Outpost running (MiB) | Outpost per server (KB) | backend's processes idle → running (MiB) | backend's processes per server (KB) | starting them (s) |");
        Line("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in r.Memory)
        {
            Line($"| {m.Arm.Name} | {Mib(m.OutpostIdle)} | {Mib(m.OutpostRunning)} | {F(m.OutpostBytesPerServer / 1000)} | {Mib(m.ChildrenIdle)} → {Mib(m.ChildrenRunning)} | {F(m.ChildrenBytesPerServer / 1000)} | {m.FillSeconds:0.0} |");
        }
        Line();
        Line($"P5: the Outpost is stopped (SIGTERM) with its {r.Servers:N0} servers running and launched again on the same SQLite file; time from the launch until the poll of a stored server answers running; then every server is polled and must still run.");
        Line();
        Line("| backend | each restart (s) | median (s) | ratio to Local |");
        Line("|---|---|---:|---:|");
        var localRestart = Stats.Median(r.Restarts.First(x => x.Arm == local).FirstRunningSeconds);
        foreach (var x in r.Restarts)
        {
            var median = Stats.Median(x.FirstRunningSeconds);
            Line($"| {x.Arm.Name} | {string.Join(", ", x.FirstRunningSeconds.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))} | {median:0.000} | {F(median / localRestart)} |");
        }
        Line(End);
        return md.ToString();
    }

    /// <summary>The summary rows (one per measure per backend beside Local), for both tables.</summary>
    public static IReadOnlyList<string> SummaryRows(BackendsResults r, BenchOptions options)
    {
        var rows = new List<string>();
        var local = BackendArm.Local;
        var most = options.Connections.Max();
        var localStops = r.StartStops.First(s => s.Arm == local);
        var localMemory = r.Memory.First(m => m.Arm == local);
        var localRestart = Stats.Median(r.Restarts.First(x => x.Arm == local).FirstRunningSeconds);
        foreach (var arm in r.Arms.Where(a => !a.IsBaseline))
        {
            var polls = r.Polls.Where(p => p.Arm == arm && p.Load.Connections == most).ToList();
            var localPolls = r.Polls.Where(p => p.Arm == local && p.Load.Connections == most).ToList();
            rows.Add(Row($"P1 on the {arm.Name} backend: poll throughput, {r.Servers:N0} servers, {most} connections",
                $"{N(Stats.Median(polls.Select(p => p.Load.RequestsPerSecond)))} req/s, p99 {F(Stats.Median(polls.Select(p => p.Load.P99Ms)))} ms",
                $"Local backend {N(Stats.Median(localPolls.Select(p => p.Load.RequestsPerSecond)))} req/s, p99 {F(Stats.Median(localPolls.Select(p => p.Load.P99Ms)))} ms",
                F(PollRatio(r, arm, most))));
            var s = r.StartStops.First(x => x.Arm == arm);
            rows.Add(Row($"P2 on the {arm.Name} backend: one sync start / stop, p50",
                $"{F(Stats.Median(s.StartMs))} / {F(Stats.Median(s.StopMs))} ms",
                $"Local backend {F(Stats.Median(localStops.StartMs))} / {F(Stats.Median(localStops.StopMs))} ms",
                $"{F(Stats.Median(s.StartMs) / Stats.Median(localStops.StartMs))} / {F(Stats.Median(s.StopMs) / Stats.Median(localStops.StopMs))}"));
            var bursts = r.Bursts.Where(b => b.Arm == arm).ToList();
            var localBursts = r.Bursts.Where(b => b.Arm == local).ToList();
            var wall = Stats.Median(bursts.Select(b => b.Burst.WallSeconds));
            var localWall = Stats.Median(localBursts.Select(b => b.Burst.WallSeconds));
            rows.Add(Row($"P3 on the {arm.Name} backend: {r.BurstSize} concurrent sync starts, wall time",
                $"{wall:0.000} s, {bursts.Sum(b => b.Burst.Errors)} errors", $"Local backend {localWall:0.000} s, {localBursts.Sum(b => b.Burst.Errors)} errors", F(wall / localWall)));
            var m = r.Memory.First(x => x.Arm == arm);
            rows.Add(Row($"P4 on the {arm.Name} backend: resident memory per running server (the backend's processes), 0 → {r.Servers:N0}; the Outpost idle → running",
                $"{F(m.ChildrenBytesPerServer / 1000)} KB; Outpost {Mib(m.OutpostIdle)} → {Mib(m.OutpostRunning)} MiB",
                $"Local backend {F(localMemory.ChildrenBytesPerServer / 1000)} KB; Outpost {Mib(localMemory.OutpostIdle)} → {Mib(localMemory.OutpostRunning)} MiB",
                F(m.ChildrenBytesPerServer / localMemory.ChildrenBytesPerServer)));
            var restart = Stats.Median(r.Restarts.First(x => x.Arm == arm).FirstRunningSeconds);
            rows.Add(Row($"P5 on the {arm.Name} backend: restart with {r.Servers:N0} stored running servers until the first poll answers running",
                $"{restart:0.000} s", $"Local backend {localRestart:0.000} s", F(restart / localRestart)));
        }
        return rows;
    }

    /// <summary>Replaces P11's section and summary rows in <paramref name="previous"/> (or makes a file of the section alone).</summary>
    public static string Write(string? previous, string section, IReadOnlyList<string> rows)
    {
        if (previous is null)
        {
            return section;
        }
        var text = ReplaceSection(previous, section);
        return InsertSummaryRows(text, rows);
    }

    /// <summary>The P11 rows of <paramref name="previous"/>'s summary table, to carry into a freshly written one.</summary>
    public static IReadOnlyList<string> CarriedRows(string? previous) =>
        previous is null ? [] : SummaryTable(previous).Where(l => l.StartsWith(RowPrefix, StringComparison.Ordinal)).ToList();

    /// <summary><paramref name="text"/> with its summary table's P11 rows replaced by <paramref name="rows"/> (after the table's last row).</summary>
    public static string InsertSummaryRows(string text, IReadOnlyList<string> rows)
    {
        var lines = text.Split('\n').ToList();
        var heading = lines.IndexOf("## Summary");
        if (heading < 0)
        {
            return text;
        }
        var header = lines.FindIndex(heading, l => l.StartsWith("| id |", StringComparison.Ordinal));
        if (header < 0)
        {
            return text;
        }
        var end = header;
        while (end < lines.Count && lines[end].StartsWith('|'))
        {
            end++;
        }
        var kept = lines.GetRange(header, end - header).Where(l => !l.StartsWith(RowPrefix, StringComparison.Ordinal)).ToList();
        lines.RemoveRange(header, end - header);
        lines.InsertRange(header, kept.Concat(rows));
        return string.Join('\n', lines);
    }

    private static IEnumerable<string> SummaryTable(string text)
    {
        var lines = text.Split('\n');
        var heading = Array.IndexOf(lines, "## Summary");
        return heading < 0 ? [] : lines.Skip(heading + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'));
    }

    private static string ReplaceSection(string text, string section)
    {
        var from = text.IndexOf(Begin, StringComparison.Ordinal);
        var to = from < 0 ? -1 : text.IndexOf(End, from, StringComparison.Ordinal);
        var trimmed = section.TrimEnd('\n');
        return to > from
            ? text[..from] + trimmed + text[(to + End.Length)..]
            : text.TrimEnd('\n') + "\n\n" + trimmed + "\n";
    }

    private static string ContainerRate(BackendsResults r) =>
        r.Memory.FirstOrDefault(m => m.Arm == BackendArm.Container) is { } m
            ? $"in this run the Container backend started {m.Servers / m.FillSeconds:0.0} containers a second ({BackendArm.Container.Parallel} at a time), the Local backend {LocalRate(r):0} servers a second"
            : "Podman was not measured in this run";

    private static double LocalRate(BackendsResults r) => r.Memory.First(m => m.Arm == BackendArm.Local) is var l ? l.Servers / l.FillSeconds : 0;

    private static double PollRatio(BackendsResults r, BackendArm arm, int connections) =>
        Stats.Median(r.Polls.Where(p => p.Arm == arm && p.Load.Connections == connections).Select(p =>
            p.Load.RequestsPerSecond / r.Polls.First(l => l.Arm == BackendArm.Local && l.Round == p.Round && l.Load.Connections == connections).Load.RequestsPerSecond));

    private static string Row(string measure, string figure, string baseline, string ratio) =>
        $"{RowPrefix} {measure} | {figure} | {baseline} | {ratio} | {Target} | {Measured} |";

    /// <summary>An error message fit for a table cell: one line, no column bars, at most 120 characters.</summary>
    private static string Escape(string text)
    {
        var cell = text.Replace('|', '/').Replace('\n', ' ');
        return cell.Length > 120 ? cell[..120] + "…" : cell;
    }

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
