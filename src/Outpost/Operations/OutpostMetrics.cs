using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Operations;

/// <summary>
/// The Outpost's own metrics, rendered in the Prometheus text format (no exporter package is
/// available here). Server counts are read from the store at scrape time, so they are always true.
/// </summary>
public sealed class OutpostMetrics
{
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private readonly ConcurrentDictionary<(string Method, string Route, int Status), Histogram> _requests = new();
    private readonly ConcurrentDictionary<(string Backend, string Outcome), long> _starts = new();
    private long _eventsDelivered;
    private long _eventsDropped;

    /// <summary>
    /// Records one request. Every label comes from a fixed set, so clients cannot grow the scrape: the method is one
    /// of <see cref="KnownMethods"/> or <c>OTHER</c>, the route a matched template (the caller passes "unmatched"
    /// otherwise), and the status a code between 100 and 599 or 0 ("not a valid status").
    /// </summary>
    public void ObserveRequest(string method, string route, int status, TimeSpan elapsed) =>
        _requests.GetOrAdd((MethodLabel(method), route, status is >= 100 and <= 599 ? status : 0), _ => new Histogram()).Observe(elapsed.TotalSeconds);

    /// <summary>The methods that get a label of their own; any other method is counted as <c>OTHER</c>.</summary>
    public static IReadOnlyList<string> KnownMethods { get; } = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT"];

    /// <summary>The label for a request method: the interned known name (HTTP methods are case-sensitive) or <c>OTHER</c>.</summary>
    public static string MethodLabel(string method)
    {
        foreach (var known in KnownMethods)
        {
            if (string.Equals(known, method, StringComparison.Ordinal))
            {
                return known;
            }
        }
        return "OTHER";
    }

    public void StartFinished(string backend, bool succeeded) =>
        _starts.AddOrUpdate((backend, succeeded ? "succeeded" : "failed"), 1, (_, n) => n + 1);

    public void EventDelivered(bool accepted) => Interlocked.Increment(ref accepted ? ref _eventsDelivered : ref _eventsDropped);

    public async Task<string> RenderAsync(IServerStore servers, IEventOutbox outbox, ILeadership leadership, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.AppendLine("# HELP outpost_leader 1 on the replica that runs the background work (event relay, reconciliation, sweeps).");
        text.AppendLine("# TYPE outpost_leader gauge");
        text.Append(CultureInfo.InvariantCulture, $"outpost_leader {(leadership.IsLeader ? 1 : 0)}\n");
        text.AppendLine("# HELP outpost_servers Servers by backend and phase.");
        text.AppendLine("# TYPE outpost_servers gauge");
        foreach (var (backend, phase, count) in await servers.CountAsync(cancellationToken))
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_servers{{backend=\"{Escape(backend)}\",phase=\"{phase}\"}} {count}\n");
        }
        text.AppendLine("# HELP outpost_starts_total Finished starts by backend and outcome.");
        text.AppendLine("# TYPE outpost_starts_total counter");
        foreach (var ((backend, outcome), count) in _starts.OrderBy(p => p.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_starts_total{{backend=\"{Escape(backend)}\",outcome=\"{outcome}\"}} {count}\n");
        }
        var relayBacklog = await outbox.CountAsync(cancellationToken);
        text.AppendLine("# HELP outpost_event_relay_backlog Progress events stored and not yet delivered.");
        text.AppendLine("# TYPE outpost_event_relay_backlog gauge");
        text.Append(CultureInfo.InvariantCulture, $"outpost_event_relay_backlog {relayBacklog}\n");
        text.AppendLine("# HELP outpost_events_total Progress events handed over to hubs (delivered) or given up (dropped).");
        text.AppendLine("# TYPE outpost_events_total counter");
        text.Append(CultureInfo.InvariantCulture, $"outpost_events_total{{result=\"delivered\"}} {Interlocked.Read(ref _eventsDelivered)}\n");
        text.Append(CultureInfo.InvariantCulture, $"outpost_events_total{{result=\"dropped\"}} {Interlocked.Read(ref _eventsDropped)}\n");
        text.AppendLine("# HELP outpost_http_request_duration_seconds HTTP request durations by route.");
        text.AppendLine("# TYPE outpost_http_request_duration_seconds histogram");
        foreach (var ((method, route, status), histogram) in _requests.OrderBy(p => p.Key))
        {
            histogram.Render(text, $"method=\"{method}\",route=\"{Escape(route)}\",status=\"{status}\"");
        }
        return text.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length + 1];
        private long _sumMicros;

        public void Observe(double seconds)
        {
            // A loop, not Array.FindIndex with a lambda: this runs on every request, and the lambda captured seconds.
            var index = 0;
            while (index < Buckets.Length && seconds > Buckets[index])
            {
                index++;
            }
            Interlocked.Increment(ref _counts[index]);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
        }

        public void Render(StringBuilder text, string labels)
        {
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref _counts[i]);
                text.Append(CultureInfo.InvariantCulture, $"outpost_http_request_duration_seconds_bucket{{{labels},le=\"{Buckets[i]}\"}} {cumulative}\n");
            }
            cumulative += Interlocked.Read(ref _counts[Buckets.Length]);
            text.Append(CultureInfo.InvariantCulture, $"outpost_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}\n");
            text.Append(CultureInfo.InvariantCulture, $"outpost_http_request_duration_seconds_sum{{{labels}}} {Interlocked.Read(ref _sumMicros) / 1_000_000.0}\n");
            text.Append(CultureInfo.InvariantCulture, $"outpost_http_request_duration_seconds_count{{{labels}}} {cumulative}\n");
        }
    }
}
