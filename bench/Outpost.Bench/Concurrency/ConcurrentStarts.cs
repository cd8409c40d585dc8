using System.Diagnostics;
using System.Net.Http.Json;
using Outpost.Bench.Hosts;

namespace Outpost.Bench.Concurrency;

/// <summary>One burst of concurrent sync starts: wall time from the first request to the last answer.</summary>
public sealed record StartBurst(int Run, int Starts, int Errors, double WallSeconds, double P50Ms, double P99Ms, string? FirstError)
{
    public double BeyondBackend(TimeSpan backendDelay) => WallSeconds - backendDelay.TotalSeconds;
}

/// <summary>
/// P3: <c>count</c> sync starts sent at once (one connection each, as many hubs' requests would arrive) to an
/// Outpost whose instant backend takes a fixed time per start; the figure is the wall time beyond that time.
/// </summary>
public static class ConcurrentStarts
{
    /// <summary>One burst; the servers are named <c>{prefix}-r{run}-{i}</c> (start id "s") and start with <paramref name="profile"/>.</summary>
    public static async Task<StartBurst> RunAsync(ChildHost outpost, int run, int count, string? profile = null, string prefix = "burst")
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = count, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = outpost.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = outpost.Client.Authorization;
        // Open the connections first (as a hub's client pool would have them), so the burst measures the starts.
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ => (await client.GetAsync("/ping")).Dispose()));

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = 0;
        string? firstError = null;
        var latencies = new double[count];
        var requests = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.PostAsJsonAsync("/services", BenchClient.StartBody($"{prefix}-r{run}-{i}", "s", profile));
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", null);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, ex.Message, null);
            }
            latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }).ToArray();
        var started = Stopwatch.GetTimestamp();
        gate.SetResult();
        await Task.WhenAll(requests);
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new StartBurst(run, count, errors, wall, Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99), firstError);
    }
}
