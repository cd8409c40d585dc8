using Outpost.Bench.Hosts;

namespace Outpost.Bench.Load;

/// <summary>One measured load run with what the target process's runtime did meanwhile.</summary>
public sealed record MeasuredRun(LoadResult Load, RuntimeCounters Runtime);

/// <summary>One (connections) pair measured in one round: the bare baseline and the Outpost right after it.</summary>
public sealed record PollPair(int Round, MeasuredRun Bare, MeasuredRun Outpost)
{
    public double Ratio => Outpost.Load.RequestsPerSecond / Bare.Load.RequestsPerSecond;
}

/// <summary>
/// P1, poll throughput: running servers on the instant backend, polled round robin with keep-alive at each
/// concurrency, each run right after the same run against the bare endpoint (both in their own processes).
/// </summary>
public static class PollBench
{
    public const string Prefix = "poll";
    public const string StartId = "b";

    /// <summary>Checks that both targets answer the poll the same way before any load runs.</summary>
    public static async Task CheckAnswersAsync(ChildHost outpost, ChildHost bare, int count)
    {
        foreach (var host in new[] { outpost, bare })
        {
            foreach (var index in new[] { 0, count - 1 })
            {
                await host.Client.PollRunningAsync($"{Prefix}{index}", StartId);
            }
        }
    }

    public static async Task<IReadOnlyList<PollPair>> RunAsync(
        ILoadGenerator generator, ChildHost outpost, ChildHost bare, int servers,
        IReadOnlyList<int> connections, int rounds, TimeSpan warmup, TimeSpan duration, TextWriter log)
    {
        var targets = new PollTargets(Prefix, servers, StartId, outpost.Client.Authorization.ToString());
        var pairs = new List<PollPair>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var c in connections)
            {
                var bareRun = await MeasureAsync(generator, "bare", bare, targets, c, warmup, duration);
                var outpostRun = await MeasureAsync(generator, "outpost", outpost, targets, c, warmup, duration);
                var pair = new PollPair(round, bareRun, outpostRun);
                pairs.Add(pair);
                var (b, o) = (bareRun.Load, outpostRun.Load);
                log.WriteLine(
                    $"  round {round}, {c,2} connections: bare {b.RequestsPerSecond,8:N0} req/s (p50 {b.P50Ms:0.00} ms, p99 {b.P99Ms:0.00} ms) | " +
                    $"outpost {o.RequestsPerSecond,8:N0} req/s (p50 {o.P50Ms:0.00} ms, p99 {o.P99Ms:0.00} ms, {outpostRun.Runtime.Gen0 + outpostRun.Runtime.Gen1 + outpostRun.Runtime.Gen2} GCs, " +
                    $"{outpostRun.Runtime.PauseMs:0} ms paused) | ratio {pair.Ratio:0.00}");
                if (b.Errors > 0 || o.Errors > 0)
                {
                    throw new InvalidOperationException($"failed requests: bare {b.Errors}, outpost {o.Errors}");
                }
            }
        }
        return pairs;
    }

    /// <summary>A warm-up run, then the measured run with the target's runtime counters around it.</summary>
    public static async Task<MeasuredRun> MeasureAsync(
        ILoadGenerator generator, string name, ChildHost host, PollTargets targets, int connections, TimeSpan warmup, TimeSpan duration)
    {
        if (warmup > TimeSpan.Zero)
        {
            await generator.RunAsync(name, host.BaseAddress, targets, connections, warmup);
        }
        var before = await host.RuntimeAsync();
        var load = await generator.RunAsync(name, host.BaseAddress, targets, connections, duration);
        var after = await host.RuntimeAsync();
        return new MeasuredRun(load, after.Since(before));
    }
}
