using System.Diagnostics;
using Outpost.Bench.Load;
using Outpost.Bench.StartStop;

namespace Outpost.Bench;

/// <summary>
/// The Outpost's first benchmark (issue 2): poll throughput and start-to-ready overhead, each as a
/// ratio to a baseline measured in the same run. Progress goes to stderr, the report to --results.
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
        var generator = ChooseGenerator(options.Generator, log);
        if (generator is null)
        {
            return 2;
        }
        if (!File.Exists(Python))
        {
            log.WriteLine($"{Python} is needed for the local-process start/stop bench.");
            return 2;
        }

        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loadBefore = Machine.LoadAverage;
        var dataDir = Directory.CreateTempSubdirectory("outpost-bench-").FullName;
        var script = Path.Combine(AppContext.BaseDirectory, "StartStop", "listen.py");
        try
        {
            log.WriteLine($"Outpost bench: {Machine.Cores} cores, {Machine.Memory}, load {loadBefore}; generator {generator.Description}; data in {dataDir}");
            await using var outpost = await OutpostUnderTest.StartAsync(Path.Combine(dataDir, "outpost"), Python, script, options.LogLevel);
            await using var bare = await BareEndpoint.StartAsync(options.LogLevel);
            log.WriteLine($"Outpost at {outpost.BaseAddress}, bare endpoint at {bare.BaseAddress}");

            var populate = await PollBench.PopulateAsync(outpost, options.Servers);
            log.WriteLine($"Started {options.Servers} servers (instant backend) in {populate:0.0} s");
            await PollBench.CheckAnswersAsync(outpost, bare, options.Servers);

            log.WriteLine("Poll throughput:");
            var polls = await PollBench.RunAsync(generator, outpost, bare, options.Servers, options.Connections,
                options.Rounds, options.Warmup, options.Duration, log);

            var most = options.Connections.Max();
            log.WriteLine($"Poll breakdown at {most} connections:");
            var breakdown = await PollBreakdown.RunAsync(generator, outpost, bare, options.Servers, most,
                TimeSpan.FromSeconds(1), options.BreakdownDuration, log);

            log.WriteLine("Poll path, step by step:");
            var hotPath = await HotPathProfile.RunAsync(outpost, bare, options.ProfileIterations);
            foreach (var step in hotPath)
            {
                log.WriteLine($"  {step.Name,-62} {step.MicrosPerCall,8:0.0} µs {step.BytesPerCall,9:N0} B");
            }

            log.WriteLine("Start and stop:");
            var instant = await StartStopBench.InstantAsync(outpost, options.InstantIterations, warmup: 10);
            Print(log, instant);
            var (local, direct) = await StartStopBench.LocalProcessAsync(outpost, Python, script, options.LocalIterations, warmup: 3);
            Print(log, local);
            Print(log, direct);

            var report = new Report(options, started, loadBefore, Machine.LoadAverage, generator.Description, populate,
                polls, breakdown, instant, local, direct, hotPath, clock.Elapsed);
            var markdown = report.ToMarkdown();
            if (options.ResultsFile is { } file)
            {
                await File.WriteAllTextAsync(file, markdown);
                log.WriteLine($"Wrote {file} ({clock.Elapsed.TotalSeconds:0} s).");
            }
            else
            {
                log.WriteLine(markdown);
            }
            return 0;
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static ILoadGenerator? ChooseGenerator(string choice, TextWriter log)
    {
        var wrk = WrkLoad.Find();
        if (choice == "dotnet" || (choice == "auto" && wrk is null))
        {
            return new HttpClientLoad();
        }
        if (wrk is null)
        {
            log.WriteLine("wrk is not installed (apt-get install -y wrk), or use --generator dotnet.");
            return null;
        }
        return new WrkLoad(wrk, threads: Math.Max(1, Environment.ProcessorCount));
    }

    private static void Print(TextWriter log, StartStopTimings t) =>
        log.WriteLine($"  {t.Name,-34} start median {Stats.Median(t.StartMs),6:0.0} ms, p95 {Stats.Percentile(t.StartMs, 95),6:0.0} ms; " +
                      $"stop median {Stats.Median(t.StopMs),6:0.0} ms, p95 {Stats.Percentile(t.StopMs, 95),6:0.0} ms");
}
