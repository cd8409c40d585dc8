using System.Diagnostics;
using System.Net.Http.Headers;

namespace Outpost.Bench.Load;

/// <summary>
/// The fallback when <c>wrk</c> is not installed: <paramref name="connections"/> loops over one
/// <see cref="SocketsHttpHandler"/> with as many keep-alive connections. It runs in the bench's own
/// process and competes with the server for the CPU, so the report shows its throughput against the
/// bare endpoint: only where that is well above the Outpost's is the generator not the bottleneck.
/// </summary>
public sealed class HttpClientLoad : ILoadGenerator
{
    public string Description => "in-process HttpClient (SocketsHttpHandler), one task per connection";

    public async Task<LoadResult> RunAsync(string target, Uri baseAddress, PollTargets targets, int connections, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        if (targets.Authorization is { } authorization)
        {
            client.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }
        var paths = Enumerable.Range(0, targets.Count).Select(targets.PathFor).ToArray();

        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var latencies = new List<double>(64 * 1024);
            long errors = 0;
            var index = worker * 97 % paths.Length;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.GetAsync(paths[index], HttpCompletionOption.ResponseContentRead);
                    if (!response.IsSuccessStatusCode)
                    {
                        errors++;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    errors++;
                }
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                index = (index + 1) % paths.Length;
            }
            return (latencies, errors);
        })).ToArray();
        var results = await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = results.SelectMany(r => r.latencies).ToArray();
        Array.Sort(all);
        return new LoadResult(target, connections, all.Length, seconds,
            Stats.PercentileOfSorted(all, 50), Stats.PercentileOfSorted(all, 99), results.Sum(r => r.errors));
    }
}
