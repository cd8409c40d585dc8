using Outpost.Bench.Hosts;
using Outpost.Bench.Load;

namespace Outpost.Bench.Memory;

/// <summary>One process measured: time from launch to its first answer, CPU used by then, and its settled resident set.</summary>
public sealed record ProcessSample(double FirstAnswerSeconds, double CpuMsAtFirstAnswer, long ResidentBefore, long ResidentAfter, long ManagedHeap, bool ServerGc);

/// <summary>Samples (3 processes each) for the bare endpoint and for Outposts holding a number of running servers.</summary>
public sealed record MemoryAndRestartResults(
    IReadOnlyList<ProcessSample> Bare,
    IReadOnlyDictionary<int, IReadOnlyList<ProcessSample>> Outpost,
    IReadOnlyDictionary<int, double> PopulateSeconds)
{
    public double MedianResident(int servers) => Stats.Median(Outpost[servers].Select(s => (double)s.ResidentAfter));

    /// <summary>Bytes of resident set per running server, from no servers to <paramref name="servers"/>.</summary>
    public double BytesPerServer(int servers) => (MedianResident(servers) - MedianResident(0)) / servers;
}

/// <summary>
/// P4 and P5 on separate Outpost processes: each figure is the median of 3 processes. With no servers, 3 fresh
/// Outposts; with 1,000 and 10,000, the servers are started through the API once, the Outpost is stopped, and
/// 3 times an Outpost process is started again on that SQLite file and timed from its launch until the first
/// poll of a stored server answers (P5); then every server is polled once (so what polls keep in memory is
/// counted), a full collection is forced, and its resident set is read from /proc (P4). The bare endpoint,
/// launched the same way and polled the same way, is the baseline of both.
/// </summary>
public static class MemoryAndRestart
{
    public const string Prefix = "mem";
    public const string StartId = "m";

    public static async Task<MemoryAndRestartResults> RunAsync(
        string workDir, ChildHost.OutpostSettings settings, IReadOnlyList<int> sizes, int runs, int parallel, TextWriter log)
    {
        var bare = new List<ProcessSample>();
        for (var run = 1; run <= runs; run++)
        {
            var host = ChildHost.LaunchBare(workDir, settings.LogLevel);
            await using (host)
            {
                bare.Add(await SampleAsync(host, new Uri(host.BaseAddress, $"/services/{Prefix}0/{StartId}"), 1, parallel));
            }
            log.WriteLine($"  bare endpoint, run {run}: {Describe(bare[^1])}");
        }

        var outpost = new Dictionary<int, IReadOnlyList<ProcessSample>>();
        var populate = new Dictionary<int, double>();
        var empty = new List<ProcessSample>();
        for (var run = 1; run <= runs; run++)
        {
            var host = ChildHost.LaunchOutpost(Path.Combine(workDir, $"empty{run}"), settings);
            await using (host)
            {
                empty.Add(await SampleAsync(host, new Uri(host.BaseAddress, "/ping"), 0, parallel));
            }
            log.WriteLine($"  Outpost with no servers, run {run}: {Describe(empty[^1])}");
        }
        outpost[0] = empty;

        var dataDir = Path.Combine(workDir, "stored");
        var stored = 0;
        foreach (var size in sizes.Where(s => s > 0).Order())
        {
            var filler = await ChildHost.StartOutpostAsync(dataDir, settings);
            await using (filler)
            {
                populate[size] = await filler.Client.StartManyAsync(Prefix, StartId, stored, size, parallel);
            }
            log.WriteLine($"  started servers {stored}..{size - 1} in {populate[size]:0.0} s ({(size - stored) / populate[size]:N0} starts/s); Outpost stopped");
            stored = size;
            var samples = new List<ProcessSample>();
            for (var run = 1; run <= runs; run++)
            {
                var host = ChildHost.LaunchOutpost(dataDir, settings);
                await using (host)
                {
                    var firstPoll = new Uri(host.BaseAddress, $"/services/{Prefix}{run * 7 % size}/{StartId}");
                    samples.Add(await SampleAsync(host, firstPoll, size, parallel));
                }
                log.WriteLine($"  Outpost restarted with {size:N0} servers, run {run}: {Describe(samples[^1])}");
            }
            outpost[size] = samples;
        }
        return new MemoryAndRestartResults(bare, outpost, populate);
    }

    /// <summary>Times the launch until <paramref name="firstAnswer"/> answers, polls <paramref name="servers"/> servers, then reads the settled resident set.</summary>
    private static async Task<ProcessSample> SampleAsync(ChildHost host, Uri firstAnswer, int servers, int parallel)
    {
        var first = await host.Process.WaitForAsync(firstAnswer, host.Client.Authorization);
        var cpu = host.Process.CpuMilliseconds();
        if (servers > 0)
        {
            await host.Client.PollManyAsync(Prefix, StartId, servers, parallel);
        }
        else
        {
            // Idle, but not cold: one of each request kind the Outpost answers all day.
            using var unknown = await host.Client.Http.GetAsync($"/services/{Prefix}0/{StartId}");
            using var list = await host.Client.Http.GetAsync("/services");
        }
        var (before, after) = await host.SettledResidentBytesAsync();
        var runtime = await host.RuntimeAsync();
        return new ProcessSample(first.TotalSeconds, cpu, before, after, runtime.HeapBytes, runtime.ServerGc);
    }

    private static string Describe(ProcessSample s) =>
        $"first answer {s.FirstAnswerSeconds * 1000:0} ms after launch ({s.CpuMsAtFirstAnswer:0} ms CPU), RSS {s.ResidentAfter / 1048576.0:0.0} MiB settled ({s.ResidentBefore / 1048576.0:0.0} MiB before the forced GC), managed heap {s.ManagedHeap / 1048576.0:0.0} MiB, server GC {s.ServerGc}";
}
