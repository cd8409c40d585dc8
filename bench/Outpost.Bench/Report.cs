using System.Globalization;
using System.Text;
using Outpost.Bench.Chain;
using Outpost.Bench.Concurrency;
using Outpost.Bench.Load;
using Outpost.Bench.Memory;
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
    IReadOnlyList<InstantRun> Instant,
    StartStopTimings Local,
    StartStopTimings Direct,
    IReadOnlyList<StartBurst> Bursts,
    MemoryAndRestartResults Memory,
    ChainResults? Chain,
    string? ChainMissing,
    IReadOnlyList<HotPathStep> HotPath,
    TimeSpan Elapsed)
{
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        static string Mib(double bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

        Line("# Outpost benchmark results");
        Line();
        Line("Written by `scripts/bench` (project `bench/Outpost.Bench`); do not edit by hand, run it again.");
        if (Options.Quick)
        {
            Line();
            Line("**A `--quick` smoke run: short runs, one round, few servers; not the issue's settings.**");
        }
        Line();
        Line($"- Date: {Started.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the run took {Elapsed.TotalSeconds:0} s.");
        Line($"- Machine: {Machine.Cores} cores ({Machine.Cpu}), {Machine.Memory} memory; {Machine.Runtime}.");
        Line($"- Load average (1/5/15 min) before the run: {LoadAverageBefore}; after: {LoadAverageAfter}.");
        Line($"- Load generator: {Generator}. Log levels: {(Options.LogLevel is { } level ? $"{level} (`--outpost-log-level`)" : "the product's appsettings.json (Information; ASP.NET Core at Warning)")}, for the Outpost and the bare endpoint alike.");
        Line("- Every Outpost measured runs in its own process (`bench/Outpost.BenchHost outpost`: `OutpostApp.Build`, as `outpost serve`,");
        Line($"  plus the bench-only instant backend), {(Options.HostExecutable is null ? "the JIT build under `dotnet exec` (`--jit`)" : "published with Native AOT as the Outpost ships")}, with the");
        Line($"  Outpost's runtime settings (`src/Outpost/OutpostRuntime.props`: {(Memory.Outpost[0][0].ServerGc ? "server" : "workstation")} GC, 8 MiB gen-0 budget in the AOT build);");
        Line("  the baseline, a bare ASP.NET Core minimal API, is the same executable (`bench/Outpost.BenchHost bare`) in another process.");
        Line("- The Outpost, the bare endpoint and the load generator share the same cores, and other engineers build and test");
        Line("  on this machine at the same time, so absolute figures move by tens of percent between runs; each baseline is");
        Line($"  measured in the same run, right beside its figure. Each figure is the median of {Options.Runs} run(s).");
        Line();

        Line("## Summary");
        Line();
        Line("| id | measure | figure | baseline (same run) | ratio | target | result |");
        Line("|---|---|---|---|---:|---|---|");
        foreach (var row in Summary.Rows(Options, Polls, Instant, Bursts, Memory, Chain, ChainMissing))
        {
            Line($"| {row.Id} | {row.Measure} | {row.Figure} | {row.Baseline} | {row.Ratio} | {row.Target} | {row.Result} |");
        }
        Line();
        Line("Ratios are figure / baseline. P1's target is on the ratio and the p99; P2–P5's targets are on the figure itself,");
        Line("their baselines show what the platform alone takes on this machine in the same run.");
        Line();

        Line("## P1: poll throughput");
        Line();
        Line($"`GET /services/{{name}}/{{start_id}}` (HTTP Basic, keep-alive, 127.0.0.1), spread round robin over {Options.Servers:N0} running servers on");
        Line("the instant backend (wrk's Lua script cycles through every server name; each wrk thread starts at another offset).");
        Line("Baseline: the bare endpoint answering the same route with the same JSON, driven by the same generator right");
        Line($"before. Each figure: {Options.Duration.TotalSeconds:0} s after {Options.Warmup.TotalSeconds:0} s of warm-up; median of {Options.Runs} round(s), a round measuring the bare endpoint and then the Outpost.");
        Line();
        Line("| connections | Outpost req/s | bare req/s | **ratio** | Outpost p50 / p99 (ms) | bare p50 / p99 (ms) |");
        Line("|---:|---:|---:|---:|---:|---:|");
        foreach (var group in Polls.GroupBy(p => p.Outpost.Load.Connections))
        {
            var pairs = group.ToArray();
            Line($"| {group.Key} | {Stats.Median(pairs.Select(p => p.Outpost.Load.RequestsPerSecond)):N0} | {Stats.Median(pairs.Select(p => p.Bare.Load.RequestsPerSecond)):N0} | " +
                 $"**{Stats.Median(pairs.Select(p => p.Ratio)):0.00}** | " +
                 $"{Stats.Median(pairs.Select(p => p.Outpost.Load.P50Ms)):0.00} / {Stats.Median(pairs.Select(p => p.Outpost.Load.P99Ms)):0.00} | " +
                 $"{Stats.Median(pairs.Select(p => p.Bare.Load.P50Ms)):0.00} / {Stats.Median(pairs.Select(p => p.Bare.Load.P99Ms)):0.00} |");
        }
        Line();
        Line("Each round, with what each process's runtime did during its measured run (garbage collections, the time they");
        Line("paused the process, CPU time used by the process, thread-pool threads at the end):");
        Line();
        Line("| round | conns | Outpost req/s | bare req/s | ratio | Outpost p99 | bare p99 | Outpost GCs (0/1/2), pause | bare GCs, pause | Outpost CPU / bare CPU | Outpost / bare threads |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|");
        foreach (var p in Polls)
        {
            var (o, b) = (p.Outpost.Runtime, p.Bare.Runtime);
            Line($"| {p.Round} | {p.Outpost.Load.Connections} | {p.Outpost.Load.RequestsPerSecond:N0} | {p.Bare.Load.RequestsPerSecond:N0} | {p.Ratio:0.00} | " +
                 $"{p.Outpost.Load.P99Ms:0.00} ms | {p.Bare.Load.P99Ms:0.00} ms | {o.Gen0}/{o.Gen1}/{o.Gen2}, {o.PauseMs:0} ms | {b.Gen0}/{b.Gen1}/{b.Gen2}, {b.PauseMs:0} ms | " +
                 $"{o.CpuMs / 1000:0.0} s / {b.CpuMs / 1000:0.0} s | {o.ThreadPoolThreads} / {b.ThreadPoolThreads} |");
        }
        Line();
        foreach (var group in Polls.GroupBy(p => p.Outpost.Load.Connections))
        {
            var pairs = group.ToArray();
            var pauseShare = Stats.Median(pairs.Select(p => p.Outpost.Runtime.PauseMs / (p.Outpost.Load.Seconds * 1000)));
            var gcs = Stats.Median(pairs.Select(p => (double)(p.Outpost.Runtime.Gen0 + p.Outpost.Runtime.Gen1 + p.Outpost.Runtime.Gen2) / p.Outpost.Load.Seconds));
            var bytes = Stats.Median(pairs.Select(p => (double)p.Outpost.Runtime.AllocatedBytes / p.Outpost.Load.Requests));
            var bareBytes = Stats.Median(pairs.Select(p => (double)p.Bare.Runtime.AllocatedBytes / p.Bare.Load.Requests));
            Line($"- {group.Key} connections: the Outpost allocated {bytes:N0} bytes per poll (bare endpoint {bareBytes:N0}), ran {gcs:0} collections/s, " +
                 $"paused {pauseShare:P1} of the time; p99 {Stats.Median(pairs.Select(p => p.Outpost.Load.P99Ms)):0.00} ms against the bare endpoint's {Stats.Median(pairs.Select(p => p.Bare.Load.P99Ms)):0.00} ms.");
        }
        Line();
        var bareBest = Polls.Max(p => p.Bare.Load.RequestsPerSecond);
        var outpostBest = Polls.Max(p => p.Outpost.Load.RequestsPerSecond);
        Line($"The generator drove the bare endpoint at up to {bareBest:N0} req/s, {bareBest / outpostBest:0.0}× the Outpost's best figure, so the");
        Line("generator is not what limits the Outpost's throughput. Failed requests: none (the bench stops on any non-2xx answer");
        Line($"or socket error). Starting the {Options.Servers:N0} servers through the API, 16 at a time, took {PopulateSeconds:0.0} s ({Options.Servers / PopulateSeconds:N0} starts/s).");
        Line();

        var most = Breakdown.Count > 0 ? Breakdown[0].Result.Connections : 0;
        Line($"### Where the poll's throughput goes ({most} connections, {Options.BreakdownDuration.TotalSeconds:0} s each)");
        Line();
        Line("The same load against routes that the bench maps into the Outpost under test (never into the product), each");
        Line("adding one layer of the poll behind the Outpost's real middleware; the last row is the real poll route. µs/request");
        Line("is wall time per request across all connections (1 / throughput). Each row is one run, so on this machine");
        Line("differences of about 10 µs between neighbouring rows are noise.");
        Line();
        Line("| layers | req/s | µs / request | ratio to bare | p50 / p99 (ms) | bytes allocated / request (server) |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (var step in Breakdown)
        {
            Line($"| {step.Name} | {step.Result.RequestsPerSecond:N0} | {1e6 / step.Result.RequestsPerSecond:0.0} | {step.RatioToBare:0.00} | {step.Result.P50Ms:0.00} / {step.Result.P99Ms:0.00} | {step.BytesPerRequest:N0} |");
        }
        Line();

        Line("## P2: one sync start and one sync stop");
        Line();
        Line($"Sync `POST /services` until its 200 answer, then sync `DELETE /services/{{name}}/{{start_id}}`, one server at a time, {Options.InstantIterations}");
        Line("times per run (after 10 unmeasured), on the Outpost of P1 (with its servers still running). The instant backend takes");
        Line("no time, so the figures are the Outpost's own cost, HTTP round trip included; the bare endpoint answering the same");
        Line("calls (same bodies, no work) shows what the round trip alone costs.");
        Line();
        Line("| run | Outpost start p50 / p95 (ms) | Outpost stop p50 / p95 (ms) | bare start p50 (ms) | bare stop p50 (ms) |");
        Line("|---:|---:|---:|---:|---:|");
        foreach (var r in Instant)
        {
            Line($"| {r.Run} | {r.Outpost.StartP50:0.00} / {Stats.Percentile(r.Outpost.StartMs, 95):0.00} | {r.Outpost.StopP50:0.00} / {Stats.Percentile(r.Outpost.StopMs, 95):0.00} | " +
                 $"{r.Bare.StartP50:0.00} | {r.Bare.StopP50:0.00} |");
        }
        Line();
        Line("### With a real process: the local-process backend against the same command spawned directly");
        Line();
        Line($"The local-process backend runs `/usr/bin/python3 listen.py` ({Options.LocalIterations} times), a few lines that listen on the");
        Line("port in `JUPYTERHUB_SERVICE_URL`; the start waits until that port accepts a connection. The baseline spawns the same");
        Line("command directly (`Process.Start`, port probed every 1 ms; stop = SIGTERM until exit), interleaved with the Outpost's.");
        Line();
        Line("| what | start median (ms) | start p95 (ms) | stop median (ms) | stop p95 (ms) |");
        Line("|---|---:|---:|---:|---:|");
        foreach (var t in new[] { Local, Direct })
        {
            Line($"| {t.Name} | {Stats.Median(t.StartMs):0.0} | {Stats.Percentile(t.StartMs, 95):0.0} | {Stats.Median(t.StopMs):0.0} | {Stats.Percentile(t.StopMs, 95):0.0} |");
        }
        Line();
        Line($"Overhead (medians, local-process minus direct): start {Stats.Median(Local.StartMs) - Stats.Median(Direct.StartMs):0.0} ms " +
             $"(ratio {Stats.Median(Local.StartMs) / Stats.Median(Direct.StartMs):0.00}), stop {Stats.Median(Local.StopMs) - Stats.Median(Direct.StopMs):0.0} ms " +
             $"(ratio {Stats.Median(Local.StopMs) / Stats.Median(Direct.StopMs):0.00}).");
        Line();

        Line("## P3: concurrent sync starts");
        Line();
        Line($"{Options.Burst} sync `POST /services` sent at once over {Options.Burst} already open connections to a fresh Outpost whose instant backend");
        Line($"takes {Options.BurstDelay.TotalMilliseconds:0} ms per start (the backend's own time). Wall time from the first request to the last answer.");
        Line();
        Line("| run | wall (s) | beyond the backend (s) | errors | per start p50 / p99 (ms) |");
        Line("|---:|---:|---:|---:|---:|");
        foreach (var b in Bursts)
        {
            Line($"| {b.Run} | {b.WallSeconds:0.000} | {b.BeyondBackend(Options.BurstDelay):0.000} | {b.Errors}{(b.FirstError is { } e ? $" ({e})" : "")} | {b.P50Ms:0} / {b.P99Ms:0} |");
        }
        Line();

        Line("## P4 and P5: memory and restart");
        Line();
        Line("Each row is one Outpost process (or bare endpoint process), launched by the bench and measured from outside:");
        Line("time from its launch until its first answer (P5: a poll of a stored running server; with no servers, `/ping`),");
        Line("the CPU time it had used by then, and its resident set (VmRSS, /proc) after every server was polled once, a second");
        Line("of rest, a forced full compacting collection and another second (\"settled\"; \"before\" is just before that collection).");
        Line("With servers, they were started through the API once; each process is then a restart on that SQLite file.");
        Line();
        Line("| process | servers | first answer (ms) | CPU by then (ms) | RSS settled (MiB) | RSS before GC (MiB) | managed heap (MiB) | GC |");
        Line("|---|---:|---:|---:|---:|---:|---:|---|");
        static string Gc(ProcessSample s) => s.ServerGc ? "server" : "workstation";
        foreach (var s in Memory.Bare)
        {
            Line($"| bare endpoint | — | {s.FirstAnswerSeconds * 1000:0} | {s.CpuMsAtFirstAnswer:0} | {Mib(s.ResidentAfter)} | {Mib(s.ResidentBefore)} | {Mib(s.ManagedHeap)} | {Gc(s)} |");
        }
        foreach (var (size, samples) in Memory.Outpost.OrderBy(p => p.Key))
        {
            foreach (var s in samples)
            {
                Line($"| Outpost{(size > 0 ? ", restarted" : ", new")} | {size:N0} | {s.FirstAnswerSeconds * 1000:0} | {s.CpuMsAtFirstAnswer:0} | {Mib(s.ResidentAfter)} | {Mib(s.ResidentBefore)} | {Mib(s.ManagedHeap)} | {Gc(s)} |");
            }
        }
        Line();
        var sizes = Memory.Outpost.Keys.Order().ToArray();
        var slopes = sizes.Zip(sizes.Skip(1), (a, b) =>
            $"{a:N0} → {b:N0}: {(Memory.MedianResident(b) - Memory.MedianResident(a)) / (b - a) / 1000:0.00} KB per server");
        Line($"Resident set per running server (medians; 1 KB = 1,000 bytes): {string.Join("; ", slopes)}.");
        Line($"Starting the servers through the API, 16 at a time: {string.Join("; ", Memory.PopulateSeconds.OrderBy(p => p.Key).Select(p => $"up to {p.Key:N0} in {p.Value:0.0} s"))}.");
        Line();

        Line("## P6: the whole chain");
        Line();
        if (Chain is { } chain)
        {
            Line($"From `bench/chain/run` ({Options.ChainResultsFile}): median spawn-to-ready through the Outpost {chain.FigureSeconds:0.000} s, through");
            Line($"JupyterHub's LocalProcessSpawner {chain.BaselineSeconds:0.000} s, ratio {chain.Ratio:0.00} (target ≤ {chain.Target:0.00}), {chain.Runs} runs.");
            if (!string.IsNullOrWhiteSpace(chain.Notes))
            {
                Line();
                Line($"Notes from that bench: {chain.Notes}");
            }
        }
        else
        {
            Line($"Not measured in this run: {ChainMissing}. `scripts/bench` runs `bench/chain/run --json FILE` when it exists and is executable.");
        }
        Line();

        Line("## Where a poll's time goes (in process)");
        Line();
        Line("Each step alone, in the bench's own process (a separate Outpost instance), one call at a time; the rows marked");
        Line($"\"concurrent callers\" run {2 * Machine.Cores} loops at once and give wall time / calls. Bytes are all allocations in the process per call;");
        Line("for the HTTP rows that includes the client's (HttpClient) and, for the Outpost, the server's.");
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
        Line("`scripts/bench` builds the bench, runs `bench/chain/run` when it is there, runs this bench and rewrites this file");
        Line("(keeping the section that `bench/spawner/run` writes at its end).");
        Line("`scripts/bench --help` lists the options (runs, durations, servers, `--generator wrk|dotnet`, `--quick`). The bench never");
        Line("runs in the tests.");
        return md.ToString();
    }
}
