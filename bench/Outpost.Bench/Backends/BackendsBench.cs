using System.Diagnostics;
using Outpost.Bench.Concurrency;
using Outpost.Bench.Hosts;
using Outpost.Bench.Load;

namespace Outpost.Bench.Backends;

/// <summary>
/// P11: P1–P5 on the Spawner backend (the supervised Python spawner host running <c>bench/spawner</c>'s
/// <c>MarkerSpawner</c>) and the Container backend (rootful Podman), each next to the Local backend measured in the
/// same run. Every backend gets its own Outpost process (<see cref="BenchHost"/>, the Local backend and the measured
/// one configured), so its memory and its restart are its own; the measurements of the backends are interleaved. The Local backend and the
/// containers run the same program (<c>bench/hubscale/tinyserver.c</c>, a static binary, about 1 MB resident).
/// </summary>
public static class BackendsBench
{
    private const string StartId = "p";

    public sealed record Sizes(int Servers, int Iterations, int Burst, int Restarts, bool Containers);

    public static async Task<BackendsResults> RunAsync(
        BenchOptions options, Sizes sizes, ILoadGenerator generator, string workDir, string sourceRoot, TextWriter log)
    {
        var makeServer = Path.Combine(AppContext.BaseDirectory, "Backends", "make-server.sh"); // run by bash: a copy may lose its mode
        var markers = Directory.CreateDirectory(Path.Combine(workDir, "markers")).FullName;
        BenchPodman? podman = null;
        var hosts = new Dictionary<BackendArm, ChildHost>();
        try
        {
            string engine;
            if (sizes.Containers)
            {
                podman = await BenchPodman.StartAsync(Path.Combine(workDir, "podman"), makeServer);
                engine = $"{podman.Version} (rootful), runc, its Docker-compatible service on a private socket";
            }
            else
            {
                await RunAsync("/bin/bash", makeServer, workDir, "-");
                engine = "not measured (--p11-no-containers)";
            }
            var server = Path.Combine(podman is null ? workDir : Path.Combine(workDir, "podman"), "tinyserver");
            var common = ChildHost.OutpostSettings.Create(options.LogLevel, server, null);
            BackendArm[] arms = podman is null ? [BackendArm.Local, BackendArm.Spawner] : [BackendArm.Local, BackendArm.Spawner, BackendArm.Container];
            var settings = arms.ToDictionary(a => a, a => common with { Environment = Configuration(a, sourceRoot, markers, podman) });
            var targets = new Dictionary<BackendArm, PollTargets>();

            log.WriteLine($"P11: {sizes.Servers:N0} servers per backend; {engine}");
            var memory = new List<ArmMemory>();
            foreach (var arm in arms)
            {
                var host = await ChildHost.StartOutpostAsync(Path.Combine(workDir, arm.Profile), settings[arm]);
                hosts[arm] = host;
                for (var i = 0; i < 3; i++)
                {
                    await ThroughApiAsync(host.Client, arm, $"{arm.Prefix}warm{i}");
                }
                var (outpostIdle, childrenIdle) = await SettledAsync(host, arm, podman);
                var fill = Stopwatch.GetTimestamp();
                await Parallel.ForEachAsync(Enumerable.Range(0, sizes.Servers), new ParallelOptions { MaxDegreeOfParallelism = arm.Parallel },
                    async (i, _) => await host.Client.StartServerAsync($"{arm.Prefix}{i}", StartId, arm.Profile));
                var fillSeconds = Stopwatch.GetElapsedTime(fill).TotalSeconds;
                await host.Client.PollManyAsync(arm.Prefix, StartId, sizes.Servers, 8);
                var (outpostRunning, childrenRunning) = await SettledAsync(host, arm, podman);
                memory.Add(new ArmMemory(arm, sizes.Servers, outpostIdle, outpostRunning, childrenIdle, childrenRunning, fillSeconds));
                targets[arm] = new PollTargets(arm.Prefix, sizes.Servers, StartId, host.Client.Authorization.ToString());
                log.WriteLine($"  {arm.Name}: {sizes.Servers:N0} servers started in {fillSeconds:0.0} s; Outpost RSS {Mib(outpostIdle)} → {Mib(outpostRunning)} MiB, " +
                              $"the backend's processes {Mib(childrenIdle)} → {Mib(childrenRunning)} MiB");
            }

            log.WriteLine("P11, P1 poll throughput:");
            var polls = new List<ArmPoll>();
            for (var round = 1; round <= options.Runs; round++)
            {
                foreach (var connections in options.Connections)
                {
                    foreach (var arm in arms)
                    {
                        var run = await PollBench.MeasureAsync(generator, arm.Name, hosts[arm], targets[arm], connections, options.Warmup, options.Duration);
                        polls.Add(new ArmPoll(round, arm, run.Load));
                        log.WriteLine($"  round {round}, {connections,2} connections, {arm.Name,-9}: {run.Load.RequestsPerSecond,8:N0} req/s, " +
                                      $"p50 {run.Load.P50Ms:0.00} ms, p99 {run.Load.P99Ms:0.00} ms, {run.Load.Errors} errors");
                    }
                }
            }

            log.WriteLine($"P11, P2 one sync start and stop at a time ({sizes.Iterations} each, interleaved):");
            var starts = arms.ToDictionary(a => a, _ => new List<double>());
            var stops = arms.ToDictionary(a => a, _ => new List<double>());
            for (var i = 0; i < sizes.Iterations; i++)
            {
                foreach (var arm in arms)
                {
                    var (start, stop) = await ThroughApiAsync(hosts[arm].Client, arm, $"{arm.Prefix}one{i}");
                    starts[arm].Add(start);
                    stops[arm].Add(stop);
                }
            }
            var startStops = arms.Select(a => new ArmStartStop(a, starts[a], stops[a])).ToList();
            foreach (var s in startStops)
            {
                log.WriteLine($"  {s.Arm.Name,-9}: start p50 {Stats.Median(s.StartMs):0.00} ms, stop p50 {Stats.Median(s.StopMs):0.00} ms");
            }

            log.WriteLine($"P11, P3 {sizes.Burst} concurrent sync starts:");
            var bursts = new List<ArmBurst>();
            for (var run = 1; run <= options.Runs; run++)
            {
                foreach (var arm in arms)
                {
                    var burst = await ConcurrentStarts.RunAsync(hosts[arm], run, sizes.Burst, arm.Profile, $"{arm.Prefix}burst");
                    var stopping = Stopwatch.GetTimestamp();
                    var stopErrors = 0;
                    await Parallel.ForEachAsync(Enumerable.Range(0, sizes.Burst), new ParallelOptions { MaxDegreeOfParallelism = arm.Parallel }, async (i, _) =>
                    {
                        try
                        {
                            await hosts[arm].Client.StopServerAsync($"{arm.Prefix}burst-r{run}-{i}", "s");
                        }
                        catch (InvalidOperationException)
                        {
                            Interlocked.Increment(ref stopErrors);
                        }
                    });
                    bursts.Add(new ArmBurst(arm, burst, Stopwatch.GetElapsedTime(stopping).TotalSeconds, stopErrors));
                    log.WriteLine($"  run {run}, {arm.Name,-9}: {burst.WallSeconds:0.000} s wall, {burst.Errors} errors{(burst.FirstError is { } e ? $" (first: {e})" : "")}, " +
                                  $"per start p50 {burst.P50Ms:0} ms; stopping them took {bursts[^1].StopAllSeconds:0.0} s");
                }
            }

            log.WriteLine($"P11, P5 restart with {sizes.Servers:N0} stored running servers:");
            var restarts = new List<ArmRestart>();
            foreach (var arm in arms)
            {
                var times = new List<double>();
                for (var run = 1; run <= sizes.Restarts; run++)
                {
                    await hosts[arm].DisposeAsync();
                    hosts.Remove(arm);
                    var host = ChildHost.LaunchOutpost(Path.Combine(workDir, arm.Profile), settings[arm]);
                    hosts[arm] = host;
                    times.Add(await FirstRunningAsync(host, $"/services/{arm.Prefix}{run * 7 % sizes.Servers}/{StartId}"));
                    await host.Client.PollManyAsync(arm.Prefix, StartId, sizes.Servers, 8);
                }
                restarts.Add(new ArmRestart(arm, sizes.Servers, times));
                log.WriteLine($"  {arm.Name,-9}: first poll answered running after {string.Join(", ", times.Select(t => $"{t:0.000}"))} s; every server still running");
            }
            return new BackendsResults(arms, sizes.Servers, sizes.Burst, engine, polls, startStops, bursts, memory, restarts);
        }
        finally
        {
            foreach (var (arm, host) in hosts)
            {
                await StopAllAsync(host, arm, sizes.Servers, log);
                await host.DisposeAsync();
            }
            if (podman is not null)
            {
                await podman.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The configuration of the arm's Outpost beyond the Local backend (which every Outpost has): the Spawner backend
    /// only in the Spawner arm's (its host would otherwise run beside the others too), the Container backend only in the Container arm's.
    /// </summary>
    private static Dictionary<string, string> Configuration(BackendArm arm, string sourceRoot, string markers, BenchPodman? podman)
    {
        var config = new Dictionary<string, string>();
        if (arm == BackendArm.Spawner)
        {
            config["Outpost__Backends__Spawner__ConfigFile"] = Path.Combine(sourceRoot, "bench", "spawner", "marker_config.py");
            config["Outpost__Backends__Spawner__HostPath"] = Path.Combine(sourceRoot, "spawnerhost");
            config["Outpost__Backends__Spawner__PythonPath__0"] = Path.Combine(sourceRoot, "bench", "spawner");
            config["Outpost__Backends__Spawner__Environment__OUTPOST_BENCH_MARKERS"] = markers;
            config[$"Outpost__Profiles__{arm.Profile}__Backend"] = "Spawner";
        }
        if (arm == BackendArm.Container && podman is not null)
        {
            config["Outpost__Backends__Containers__Endpoint"] = podman.Endpoint;
            config["Outpost__Backends__Containers__Image"] = BenchPodman.Image;
            config["Outpost__Backends__Containers__PullPolicy"] = "Never";
            config["Outpost__Backends__Containers__InstanceName"] = BenchPodman.Instance;
            config["Outpost__Backends__Containers__Command__0"] = "/tinyserver";
            config[$"Outpost__Profiles__{arm.Profile}__Backend"] = "Containers";
        }
        return config;
    }

    private static async Task<(double StartMs, double StopMs)> ThroughApiAsync(BenchClient client, BackendArm arm, string name)
    {
        var started = Stopwatch.GetTimestamp();
        await client.StartServerAsync(name, "s", arm.Profile);
        var startMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var stopping = Stopwatch.GetTimestamp();
        await client.StopServerAsync(name, "s");
        return (startMs, Stopwatch.GetElapsedTime(stopping).TotalMilliseconds);
    }

    /// <summary>
    /// The Outpost's resident set after polling is done, a full collection and a second's rest, and the backend's own
    /// processes': the Outpost's descendants (the spawner host and its keeper, the Local backend's servers), or for the
    /// Container backend Podman's service with the conmon and process of each of the bench's containers.
    /// </summary>
    private static async Task<(long Outpost, long Backend)> SettledAsync(ChildHost host, BackendArm arm, BenchPodman? podman)
    {
        var (_, after) = await host.SettledResidentBytesAsync();
        return (after, arm == BackendArm.Container && podman is not null ? podman.ResidentBytes() : ProcessTree.DescendantsResidentBytes(host.Process.Pid));
    }

    /// <summary>Seconds from the launch until <paramref name="path"/> (a stored server's poll) answers running; throws on any other answer.</summary>
    private static async Task<double> FirstRunningAsync(ChildHost host, string path)
    {
        await host.Process.WaitForAsync(new Uri(host.BaseAddress, path), host.Client.Authorization);
        var seconds = Stopwatch.GetElapsedTime(host.Process.LaunchedAt).TotalSeconds;
        var body = await host.Client.Http.GetStringAsync(path);
        if (body != PollAnswer.RunningJson)
        {
            throw new InvalidOperationException($"after the restart {path} answered {body}, not running");
        }
        return seconds;
    }

    /// <summary>Stops the servers the bench keeps running on this Outpost; it also runs when a step failed, so a server that is not there is fine.</summary>
    private static async Task StopAllAsync(ChildHost host, BackendArm arm, int servers, TextWriter log)
    {
        var failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, servers), new ParallelOptions { MaxDegreeOfParallelism = arm.Parallel }, async (i, _) =>
        {
            try
            {
                await host.Client.StopServerAsync($"{arm.Prefix}{i}", StartId);
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        });
        if (failed > 0)
        {
            log.WriteLine($"  {arm.Name}: {failed} of {servers} stops failed (servers that were never started, or see {host.DataDir})");
        }
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode})");
        }
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
