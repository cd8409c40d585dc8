using System.Diagnostics;
using Outpost.Bench.Backends;
using Outpost.Bench.Chain;
using Outpost.Bench.Concurrency;
using Outpost.Bench.Hosts;
using Outpost.Bench.Load;
using Outpost.Bench.Memory;
using Outpost.Bench.StartStop;

namespace Outpost.Bench;

/// <summary>
/// The Outpost's benchmark (issue 8): P1–P5 measured here, each against a baseline measured in the same
/// run, P6 read from bench/chain's results. Progress goes to stderr, the report to --results.
/// The processes it measures are bench/Outpost.BenchHost (<see cref="BenchHost"/>), published with Native AOT.
/// </summary>
public static class BenchProgram
{
    private const string Python = "/usr/bin/python3";

    public static async Task<int> Main(string[] args)
    {
        var log = Console.Error;
        if (args.Contains("--help") || args.Contains("-h"))
        {
            log.WriteLine(BenchOptions.Usage);
            return 0;
        }
        var options = BenchOptions.Parse(args, log);
        if (options is null)
        {
            return 2;
        }
        var generator = ChooseGenerator(options, log);
        if (generator is null)
        {
            return 2;
        }
        if (!File.Exists(Python))
        {
            log.WriteLine($"{Python} is needed for the local-process start/stop bench.");
            return 2;
        }

        if (options.HostExecutable is { } host && !File.Exists(host))
        {
            log.WriteLine($"{host} does not exist: publish bench/Outpost.BenchHost first (scripts/bench does), or use --jit.");
            return 2;
        }
        ChildProcess.NativeHost = options.HostExecutable;
        if (options.P11)
        {
            return await BackendsProgram.RunAsync(options, generator, log);
        }
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loadBefore = Machine.LoadAverage;
        var workDir = Directory.CreateTempSubdirectory("outpost-bench-").FullName;
        var script = Path.Combine(AppContext.BaseDirectory, "StartStop", "listen.py");
        var settings = ChildHost.OutpostSettings.Create(options.LogLevel, Python, script);
        var keep = false;
        try
        {
            log.WriteLine($"Outpost bench: {Machine.Cores} cores, {Machine.Memory}, load {loadBefore}; {options.Runtime}; generator {generator.Description}; work in {workDir}");
            var chain = ChainResults.Read(options.ChainResultsFile);
            log.WriteLine(chain.Results is { } c ? $"P6 from {options.ChainResultsFile}: ratio {c.Ratio:0.00}" : $"P6: {chain.Missing}");

            IReadOnlyList<PollPair> polls;
            IReadOnlyList<BreakdownStep> breakdown;
            IReadOnlyList<InstantRun> instant;
            StartStopTimings local, direct;
            double populate;
            await using (var bare = await ChildHost.StartBareAsync(workDir, options.LogLevel))
            await using (var outpost = await ChildHost.StartOutpostAsync(Path.Combine(workDir, "poll"), settings))
            {
                log.WriteLine($"Outpost at {outpost.BaseAddress} (pid {outpost.Process.Pid}), bare endpoint at {bare.BaseAddress} (pid {bare.Process.Pid})");
                populate = await outpost.Client.StartManyAsync(PollBench.Prefix, PollBench.StartId, 0, options.Servers, parallel: 16);
                log.WriteLine($"Started {options.Servers:N0} servers (instant backend) in {populate:0.0} s");
                await PollBench.CheckAnswersAsync(outpost, bare, options.Servers);

                log.WriteLine("P1, poll throughput:");
                polls = await PollBench.RunAsync(generator, outpost, bare, options.Servers, options.Connections,
                    options.Runs, options.Warmup, options.Duration, log);

                var most = options.Connections.Max();
                log.WriteLine($"Poll breakdown at {most} connections:");
                breakdown = await PollBreakdown.RunAsync(generator, outpost, bare, options.Servers, most,
                    TimeSpan.FromSeconds(1), options.BreakdownDuration, log);

                log.WriteLine("P2, one sync start and stop at a time:");
                instant = await StartStopBench.InstantAsync(outpost, bare, options.Runs, options.InstantIterations, warmup: 10, log);
                (local, direct) = await StartStopBench.LocalProcessAsync(outpost, Python, script, Path.Combine(workDir, "direct-home"), options.LocalIterations, warmup: 3);
                Print(log, local);
                Print(log, direct);
            }

            log.WriteLine($"P3, {options.Burst} concurrent sync starts, backend time {options.BurstDelay.TotalMilliseconds:0} ms each:");
            var bursts = new List<StartBurst>();
            await using (var outpost = await ChildHost.StartOutpostAsync(Path.Combine(workDir, "burst"), settings, options.BurstDelay))
            {
                for (var run = 1; run <= options.Runs; run++)
                {
                    var burst = await ConcurrentStarts.RunAsync(outpost, run, options.Burst);
                    bursts.Add(burst);
                    log.WriteLine($"  run {run}: {burst.WallSeconds:0.000} s wall, {burst.BeyondBackend(options.BurstDelay):0.000} s beyond the backend, " +
                                  $"{burst.Errors} errors{(burst.FirstError is { } e ? $" (first: {e})" : "")}; per start p50 {burst.P50Ms:0} ms, p99 {burst.P99Ms:0} ms");
                }
            }

            log.WriteLine("P4 and P5, memory and restart of separate Outpost processes:");
            var memory = await MemoryAndRestart.RunAsync(Path.Combine(workDir, "memory"), settings, options.MemoryServers, options.Runs, parallel: 16, log);

            log.WriteLine("Poll path, step by step (in process):");
            IReadOnlyList<HotPathStep> hotPath;
            await using (var bare = await ChildHost.StartBareAsync(workDir, options.LogLevel))
            await using (var inProcess = await OutpostUnderTest.StartAsync(Path.Combine(workDir, "profile"), Python, script, options.LogLevel ?? "Warning"))
            {
                await inProcess.StartServerAsync($"{PollBench.Prefix}0", PollBench.StartId);
                hotPath = await HotPathProfile.RunAsync(inProcess, bare.BaseAddress, options.ProfileIterations);
            }
            foreach (var step in hotPath)
            {
                log.WriteLine($"  {step.Name,-62} {step.MicrosPerCall,8:0.0} µs {step.BytesPerCall,9:N0} B");
            }

            var report = new Report(options, started, loadBefore, Machine.LoadAverage, generator.Description, populate,
                polls, breakdown, instant, local, direct, bursts, memory, chain.Results, chain.Missing, hotPath, clock.Elapsed);
            var markdown = report.ToMarkdown();
            if (options.ResultsFile is { } file)
            {
                var previous = File.Exists(file) ? await File.ReadAllTextAsync(file) : null;
                await File.WriteAllTextAsync(file, KeptSections.Append(markdown, previous));
                log.WriteLine($"Wrote {file} ({clock.Elapsed.TotalSeconds:0} s).");
            }
            else
            {
                log.WriteLine(markdown);
            }
            return 0;
        }
        catch
        {
            keep = true;
            log.WriteLine($"The bench failed; the hosts' logs are kept in {workDir}.");
            throw;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }

    private static ILoadGenerator? ChooseGenerator(BenchOptions options, TextWriter log)
    {
        var wrk = WrkLoad.Find();
        if (options.Generator == "dotnet" || (options.Generator == "auto" && wrk is null))
        {
            return new HttpClientLoad();
        }
        if (wrk is null)
        {
            log.WriteLine("wrk is not installed (apt-get install -y wrk), or use --generator dotnet.");
            return null;
        }
        return new WrkLoad(wrk, options.WrkThreads);
    }

    private static void Print(TextWriter log, StartStopTimings t) =>
        log.WriteLine($"  {t.Name,-34} start median {Stats.Median(t.StartMs),6:0.0} ms, p95 {Stats.Percentile(t.StartMs, 95),6:0.0} ms; " +
                      $"stop median {Stats.Median(t.StopMs),6:0.0} ms, p95 {Stats.Percentile(t.StopMs, 95),6:0.0} ms");
}
