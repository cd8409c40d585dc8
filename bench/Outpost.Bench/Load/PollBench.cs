using System.Diagnostics;

namespace Outpost.Bench.Load;

/// <summary>One (target, connections) pair measured in one round: the bare baseline and the Outpost right after it.</summary>
public sealed record PollPair(int Round, LoadResult Bare, LoadResult Outpost)
{
    public double Ratio => Outpost.RequestsPerSecond / Bare.RequestsPerSecond;
}

/// <summary>
/// Poll throughput: a few hundred running servers on the instant backend, polled round robin with
/// keep-alive at each concurrency, each run right after the same run against the bare endpoint.
/// </summary>
public static class PollBench
{
    public const string Prefix = "poll";
    public const string StartId = "b";

    /// <summary>Starts <paramref name="count"/> servers through the API (8 at a time); returns the seconds it took.</summary>
    public static async Task<double> PopulateAsync(OutpostUnderTest outpost, int count)
    {
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await outpost.StartServerAsync($"{Prefix}{i}", StartId));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Checks that both targets answer the poll the same way before any load runs.</summary>
    public static async Task CheckAnswersAsync(OutpostUnderTest outpost, BareEndpoint bare, int count)
    {
        using var client = new HttpClient();
        foreach (var (name, baseAddress) in new[] { ("outpost", outpost.BaseAddress), ("bare", bare.BaseAddress) })
        {
            foreach (var index in new[] { 0, count - 1 })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, $"/services/{Prefix}{index}/{StartId}"));
                request.Headers.Authorization = outpost.Authorization;
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode || body != """{"status":null,"logs":[]}""")
                {
                    throw new InvalidOperationException($"{name} answered the poll with HTTP {(int)response.StatusCode} {body}");
                }
            }
        }
    }

    public static async Task<IReadOnlyList<PollPair>> RunAsync(
        ILoadGenerator generator, OutpostUnderTest outpost, BareEndpoint bare, int servers,
        IReadOnlyList<int> connections, int rounds, TimeSpan warmup, TimeSpan duration, TextWriter log)
    {
        var targets = new PollTargets(Prefix, servers, StartId, outpost.Authorization.ToString());
        var pairs = new List<PollPair>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var c in connections)
            {
                var bareResult = await MeasureAsync(generator, "bare", bare.BaseAddress, targets, c, warmup, duration);
                var outpostResult = await MeasureAsync(generator, "outpost", outpost.BaseAddress, targets, c, warmup, duration);
                var pair = new PollPair(round, bareResult, outpostResult);
                pairs.Add(pair);
                log.WriteLine(
                    $"  round {round}, {c,2} connections: bare {bareResult.RequestsPerSecond,8:N0} req/s (p50 {bareResult.P50Ms:0.00} ms, p99 {bareResult.P99Ms:0.00} ms) | " +
                    $"outpost {outpostResult.RequestsPerSecond,8:N0} req/s (p50 {outpostResult.P50Ms:0.00} ms, p99 {outpostResult.P99Ms:0.00} ms) | ratio {pair.Ratio:0.00}");
                if (bareResult.Errors > 0 || outpostResult.Errors > 0)
                {
                    throw new InvalidOperationException($"failed requests: bare {bareResult.Errors}, outpost {outpostResult.Errors}");
                }
            }
        }
        return pairs;
    }

    private static async Task<LoadResult> MeasureAsync(
        ILoadGenerator generator, string name, Uri baseAddress, PollTargets targets, int connections, TimeSpan warmup, TimeSpan duration)
    {
        if (warmup > TimeSpan.Zero)
        {
            await generator.RunAsync(name, baseAddress, targets, connections, warmup);
        }
        return await generator.RunAsync(name, baseAddress, targets, connections, duration);
    }
}
