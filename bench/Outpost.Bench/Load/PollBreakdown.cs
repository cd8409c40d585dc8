using Outpost.Bench.Hosts;

namespace Outpost.Bench.Load;

/// <summary>One layer of the poll path under load, with its throughput relative to the bare endpoint.</summary>
public sealed record BreakdownStep(string Name, LoadResult Result, double RatioToBare, double BytesPerRequest);

/// <summary>
/// Where the poll's throughput goes: the same load against the bare endpoint, then against the
/// Outpost's <see cref="DiagnosticRoutes"/>, each adding one layer, and finally the real poll route.
/// </summary>
public static class PollBreakdown
{
    public static async Task<IReadOnlyList<BreakdownStep>> RunAsync(
        ILoadGenerator generator, ChildHost outpost, ChildHost bare, int servers, int connections,
        TimeSpan warmup, TimeSpan duration, TextWriter log)
    {
        var auth = outpost.Client.Authorization.ToString();
        var steps = new (string Name, ChildHost Host, PollTargets Targets)[]
        {
            ("bare ASP.NET endpoint", bare, new(PollBench.Prefix, servers, PollBench.StartId, auth)),
            ("Outpost middleware, no Authorization header", outpost, new(PollBench.Prefix, servers, PollBench.StartId, null, DiagnosticRoutes.Anonymous)),
            ("+ Basic auth of the hub", outpost, new(PollBench.Prefix, servers, PollBench.StartId, auth, DiagnosticRoutes.Anonymous)),
            ("+ authorization policy", outpost, new(PollBench.Prefix, servers, PollBench.StartId, auth, DiagnosticRoutes.Authorized)),
            ("+ IServerStore.FindPollStateAsync (the poll's read)", outpost, new(PollBench.Prefix, servers, PollBench.StartId, auth, DiagnosticRoutes.Find)),
            ("real poll route (PollServer, backend, answer)", outpost, new(PollBench.Prefix, servers, PollBench.StartId, auth)),
        };
        var results = new List<BreakdownStep>();
        double? bareRate = null;
        foreach (var (name, host, targets) in steps)
        {
            var run = await PollBench.MeasureAsync(generator, name, host, targets, connections, warmup, duration);
            var result = run.Load;
            if (result.Errors > 0)
            {
                throw new InvalidOperationException($"{name}: {result.Errors} failed requests");
            }
            bareRate ??= result.RequestsPerSecond;
            var step = new BreakdownStep(name, result, result.RequestsPerSecond / bareRate.Value, (double)run.Runtime.AllocatedBytes / result.Requests);
            results.Add(step);
            log.WriteLine($"  {name,-52} {result.RequestsPerSecond,8:N0} req/s  p50 {result.P50Ms,5:0.00} ms  p99 {result.P99Ms,5:0.00} ms  " +
                          $"{1e6 / result.RequestsPerSecond,6:0.0} µs/request  {step.BytesPerRequest,6:N0} B/request  ratio {step.RatioToBare:0.00}");
        }
        return results;
    }
}
