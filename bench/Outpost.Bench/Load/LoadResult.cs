namespace Outpost.Bench.Load;

/// <summary>One load run against one target at one concurrency.</summary>
/// <param name="Errors">Failed requests: non-2xx answers, socket errors and timeouts.</param>
public sealed record LoadResult(string Target, int Connections, long Requests, double Seconds, double P50Ms, double P99Ms, long Errors)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>Drives <c>GET /services/{prefix}{i}/{startId}</c> over loopback with keep-alive connections.</summary>
public interface ILoadGenerator
{
    /// <summary>What it is, for the report (program, version, threads).</summary>
    string Description { get; }

    Task<LoadResult> RunAsync(string target, Uri baseAddress, PollTargets targets, int connections, TimeSpan duration);
}

/// <summary>
/// The servers to poll: <c>{Route}/services/{Prefix}{i}/{StartId}</c> for i in 0 .. Count-1. A null
/// <see cref="Authorization"/> sends no Authorization header; <see cref="Route"/> is empty for the real
/// poll route and names a diagnostic route otherwise (see <see cref="DiagnosticRoutes"/>).
/// </summary>
public sealed record PollTargets(string Prefix, int Count, string StartId, string? Authorization, string Route = "")
{
    public string PathFor(int index) => $"{Route}/services/{Prefix}{index}/{StartId}";
}
