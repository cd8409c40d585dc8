using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// A flood of junk keeps the Outpost's memory bounded: unauthenticated requests with made-up methods and random
/// paths, then authenticated polls of unknown servers carrying 2 KB auth-state-* headers. Nothing a request sends
/// may stay behind (no auth state for servers that do not exist, no metric label per method or path).
/// </summary>
[Collection(RobustnessCollection.Name)]
public sealed class MemoryBoundTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// Growth of VmRSS allowed over the flood, after a warm-up of the same requests. Measured on a healthy run:
    /// a few MiB (GC heap settling, connection buffers); 32 MiB leaves room for a loaded machine, while keeping
    /// 20,000 × 2 KB of retained headers (about 80 MiB as UTF-16) far outside it.
    /// </summary>
    private const long MaxGrowthBytes = 32L * 1024 * 1024;

    /// <summary>/metrics must stay small whatever methods and paths were seen.</summary>
    private const int MaxMetricsBytes = 200 * 1024;

    private const int Parallelism = 8;
    private OutpostUnderTest _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostUnderTest.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    /// <summary>Unauthenticated junk: made-up methods (unique ones too) on random paths.</summary>
    private static Gen<Func<int, RawRequest>> Unauthenticated { get; } =
        from method in Gen.Frequency((3, RouteGenerators.Method), (1, Gen.Constant("")))
        from path in RouteGenerators.Path
        select (Func<int, RawRequest>)(i => new RawRequest(method.Length == 0 ? $"M{i}" : method, $"{path}x{i}", Credentials.None));

    /// <summary>Authenticated polls of servers that do not exist, each with 2 KB of auth state.</summary>
    private static Gen<Func<int, RawRequest>> UnknownServerPolls { get; } =
        from method in Gen.Frequency((4, Gen.Constant("GET")), (1, Gen.Constant("DELETE")))
        from key in Generators.Word
        select (Func<int, RawRequest>)(i => new RawRequest(method, $"/services/unknown-{i}/{i}")
        {
            Headers = [($"auth-state-{key}", new string('s', 2048)), ("auth-state-access_token", $"token-{i}-{new string('t', 1024)}")],
        });

    [Fact]
    public async Task Robustness_JunkFlood_KeepsMemoryAndMetricsBounded()
    {
        var count = RobustnessRun.Count(20_000);
        output.WriteLine(RobustnessRun.Describe($"{count} unauthenticated and {count} authenticated junk requests against {_outpost}"));
        var statuses = new ConcurrentDictionary<int, int>();

        await FloodAsync(Unauthenticated, 0, 2_000, statuses);
        await FloodAsync(UnknownServerPolls, 0, 2_000, statuses);
        await Task.Delay(1000);
        var baseline = _outpost.RssBytes();

        await FloodAsync(Unauthenticated, 10_000, count, statuses);
        var afterUnauthenticated = _outpost.RssBytes();
        await FloodAsync(UnknownServerPolls, 10_000, count, statuses);
        await Task.Delay(1000);
        var after = _outpost.RssBytes();

        var metrics = await _outpost.SendAsync(new RawRequest("GET", "/metrics", Credentials.None));
        output.WriteLine($"VmRSS: {Mib(baseline)} after warm-up, {Mib(afterUnauthenticated)} after unauthenticated junk, {Mib(after)} after auth-state polls; /metrics {metrics.Body.Length} bytes");
        output.WriteLine($"answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");

        var failures = new List<string>();
        if (!await _outpost.IsAliveAsync())
        {
            failures.Add($"the Outpost stopped answering /ping; see {_outpost.LogFile}");
        }
        if (statuses.Keys.Any(s => s == 0 || s >= 500))
        {
            failures.Add("some requests got no answer or a 5xx");
        }
        if (metrics.Status != 200 || metrics.Body.Length >= MaxMetricsBytes)
        {
            failures.Add($"/metrics answered {metrics.Status} with {metrics.Body.Length} bytes (bound {MaxMetricsBytes}): labels must come from a fixed set");
        }
        if (after - baseline >= MaxGrowthBytes)
        {
            failures.Add($"VmRSS grew by {Mib(after - baseline)} over the flood (bound {Mib(MaxGrowthBytes)}): {Mib(baseline)} → {Mib(afterUnauthenticated)} (unauthenticated) → {Mib(after)} (auth-state polls)");
        }
        Assert.True(failures.Count == 0, RobustnessRun.Describe("Junk flood") + "\n" + string.Join("\n", failures));
    }

    private async Task FloodAsync(Gen<Func<int, RawRequest>> gen, int seedOffset, int count, ConcurrentDictionary<int, int> statuses)
    {
        const int chunk = 500;
        for (var start = 0; start < count; start += chunk)
        {
            var makers = RobustnessRun.Batch(gen, 2_000 + seedOffset + start / chunk, Math.Min(chunk, count - start));
            await Parallel.ForEachAsync(
                Enumerable.Range(0, makers.Length),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
                async (i, _) =>
                {
                    var answer = await _outpost.SendAsync(makers[i](seedOffset + start + i));
                    statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
                });
        }
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0.0} MiB";
}
