using System.Globalization;
using System.Text;
using Outpost.Bench.Load;
using Outpost.Bench.StartStop;

namespace Outpost.Bench;

/// <summary>Everything one run measured, and its rendering as <c>bench/RESULTS.md</c>.</summary>
public sealed record Report(
    BenchOptions Options,
    DateTimeOffset Started,
    string LoadAverageBefore,
    string LoadAverageAfter,
    string Generator,
    double PopulateSeconds,
    IReadOnlyList<PollPair> Polls,
    IReadOnlyList<BreakdownStep> Breakdown,
    StartStopTimings Instant,
    StartStopTimings Local,
    StartStopTimings Direct,
    IReadOnlyList<HotPathStep> HotPath,
    TimeSpan Elapsed)
{
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line("# Outpost benchmark results");
        Line();
        Line("Written by `scripts/bench` (project `bench/Outpost.Bench`); do not edit by hand, run it again.");
        Line();
        Line($"- Date: {Started.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the run took {Elapsed.TotalSeconds:0} s.");
        Line($"- Machine: {Machine.Cores} cores ({Machine.Cpu}), {Machine.Memory} memory; {Machine.Runtime}.");
        Line($"- Load average (1/5/15 min) before the run: {LoadAverageBefore}; after: {LoadAverageAfter}.");
        Line($"- Load generator: {Generator}. Log level of the Outpost and the bare endpoint: {Options.LogLevel} (`--outpost-log-level`).");
        Line("- The Outpost, the bare endpoint and the load generator share the same cores. This machine is noisy: other");
        Line("  engineers build and test on it at the same time, so absolute figures move by tens of percent between runs;");
        Line("  each ratio compares two runs made back to back, which is the figure to watch.");
        Line();

        Line("## Poll throughput");
        Line();
        Line($"`GET /services/{{name}}/{{start_id}}` (HTTP Basic, keep-alive, 127.0.0.1) spread round robin over {Options.Servers} running servers on");
        Line("an instant backend (no process; every poll still goes through auth, SQLite and the backend's status call).");
        Line("Baseline: a bare ASP.NET Core minimal-API endpoint in the same process, on another port, answering the same");
        Line($"route with the same JSON, driven by the same generator. Each figure: {Options.Duration.TotalSeconds:0} s after {Options.Warmup.TotalSeconds:0} s of warm-up;");
        Line($"median of {Options.Rounds} round(s), where a round measures the bare endpoint and then the Outpost.");
        Line();
        Line("| connections | Outpost req/s | bare req/s | **ratio Outpost / bare** | Outpost p50 / p99 (ms) | bare p50 / p99 (ms) |");
        Line("|---:|---:|---:|---:|---:|---:|");
        foreach (var group in Polls.GroupBy(p => p.Outpost.Connections))
        {
            var pairs = group.ToArray();
            Line($"| {group.Key} | {Stats.Median(pairs.Select(p => p.Outpost.RequestsPerSecond)):N0} | {Stats.Median(pairs.Select(p => p.Bare.RequestsPerSecond)):N0} | " +
                 $"**{Stats.Median(pairs.Select(p => p.Ratio)):0.00}** | " +
                 $"{Stats.Median(pairs.Select(p => p.Outpost.P50Ms)):0.00} / {Stats.Median(pairs.Select(p => p.Outpost.P99Ms)):0.00} | " +
                 $"{Stats.Median(pairs.Select(p => p.Bare.P50Ms)):0.00} / {Stats.Median(pairs.Select(p => p.Bare.P99Ms)):0.00} |");
        }
        Line();
        Line("Each round:");
        Line();
        Line("| round | connections | Outpost req/s | bare req/s | ratio | Outpost requests | bare requests |");
        Line("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in Polls)
        {
            Line($"| {p.Round} | {p.Outpost.Connections} | {p.Outpost.RequestsPerSecond:N0} | {p.Bare.RequestsPerSecond:N0} | {p.Ratio:0.00} | {p.Outpost.Requests:N0} | {p.Bare.Requests:N0} |");
        }
        Line();
        var bareBest = Polls.Max(p => p.Bare.RequestsPerSecond);
        var outpostBest = Polls.Max(p => p.Outpost.RequestsPerSecond);
        Line($"The generator drove the bare endpoint at up to {bareBest:N0} req/s, {bareBest / outpostBest:0.0}× the Outpost's best figure, so the");
        Line("generator is not what limits the Outpost's throughput.");
        Line();
        Line($"Failed requests: none (the bench stops on any non-2xx answer or socket error). Starting the {Options.Servers} servers");
        Line($"through the API, 8 at a time, took {PopulateSeconds:0.0} s ({Options.Servers / PopulateSeconds:N0} starts/s).");
        Line();

        var most = Breakdown.Count > 0 ? Breakdown[0].Result.Connections : 0;
        Line($"### Where the poll's throughput goes ({most} connections, {Options.BreakdownDuration.TotalSeconds:0} s each)");
        Line();
        Line("The same load against routes that the bench maps into the Outpost under test (never into the product), each");
        Line("adding one layer of the poll behind the Outpost's real middleware; the last row is the real poll route. µs/request");
        Line("is wall time per request across all connections (1 / throughput), so differences between rows are each layer's cost.");
        Line("Each row is one run, so on this machine differences of about 10 µs between neighbouring rows are noise.");
        Line();
        Line("| layers | req/s | µs / request | ratio to bare | p50 / p99 (ms) |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var step in Breakdown)
        {
            Line($"| {step.Name} | {step.Result.RequestsPerSecond:N0} | {1e6 / step.Result.RequestsPerSecond:0.0} | {step.RatioToBare:0.00} | {step.Result.P50Ms:0.00} / {step.Result.P99Ms:0.00} |");
        }
        Line();

        Line("## Start-to-ready and stop");
        Line();
        Line("Sync `POST /services` until its 200 answer, then sync `DELETE /services/{name}/{start_id}`, one server at a time.");
        Line($"The local-process backend runs `/usr/bin/python3 listen.py` ({Options.LocalIterations} times), a few lines that listen on the");
        Line("port in `JUPYTERHUB_SERVICE_URL`; the start waits until that port accepts a connection. The baseline spawns the same");
        Line("command directly (`Process.Start`, port probed every 1 ms; stop = SIGTERM until exit), interleaved with the Outpost's.");
        Line($"The instant backend ({Options.InstantIterations} times) does nothing, so its figures are the Outpost's own cost of a start and a stop.");
        Line();
        Line("| what | start median (ms) | start p95 (ms) | stop median (ms) | stop p95 (ms) |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var t in new[] { Instant, Local, Direct })
        {
            Line($"| {t.Name} | {Stats.Median(t.StartMs):0.0} | {Stats.Percentile(t.StartMs, 95):0.0} | {Stats.Median(t.StopMs):0.0} | {Stats.Percentile(t.StopMs, 95):0.0} |");
        }
        Line();
        Line("The Outpost's overhead over the command itself (local-process minus direct, at the same percentile):");
        Line();
        Line("| | overhead median (ms) | overhead p95 (ms) | **ratio Outpost / direct** (medians) |");
        Line("|---|---:|---:|---:|");
        Line(OverheadRow("start to ready", Local.StartMs, Direct.StartMs));
        Line(OverheadRow("stop", Local.StopMs, Direct.StopMs));
        Line();

        Line("## Where a poll's time goes");
        Line();
        Line("Each step alone, in process, one call at a time, on the same servers; the rows marked \"concurrent callers\" run");
        Line($"{2 * Machine.Cores} loops at once and give wall time / calls, which would be about 1/{Machine.Cores} of the single-caller figure if the");
        Line("step scaled over the cores. Bytes are all allocations in the process per call; for the HTTP rows that includes the");
        Line("client's (HttpClient) and the server's.");
        Line();
        Line("| step | µs per call | bytes allocated per call |");
        Line("|---|---:|---:|");
        foreach (var step in HotPath)
        {
            Line($"| {step.Name} | {step.MicrosPerCall:0.0} | {step.BytesPerCall:N0} |");
        }
        Line();
        Line("## How to run");
        Line();
        Line("`scripts/bench` builds Release, runs the bench and rewrites this file. `scripts/bench --help` lists the options");
        Line("(durations, rounds, servers, `--generator wrk|dotnet`, `--outpost-log-level`). The bench never runs in the tests.");
        return md.ToString();
    }

    private static string OverheadRow(string what, IReadOnlyList<double> outpost, IReadOnlyList<double> direct) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {what} | {Stats.Median(outpost) - Stats.Median(direct):0.0} | {Stats.Percentile(outpost, 95) - Stats.Percentile(direct, 95):0.0} | **{Stats.Median(outpost) / Stats.Median(direct):0.00}** |");
}
