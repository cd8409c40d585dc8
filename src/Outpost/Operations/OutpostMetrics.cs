using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Operations;

/// <summary>
/// The Outpost's own metrics, rendered in the Prometheus text format by this class. (When it was written no exporter
/// package restored here; OpenTelemetry's Prometheus exporter is served now, as a beta, but not used yet: issue 19,
/// item 8.) Server counts and event backlogs are read from the store at scrape time, so they are always true.
/// Every label comes from a fixed set: backend names and hub names are configured (or, for hubs, stored by
/// <c>outpost hub add</c>), outcomes and error kinds are constants here, and request labels are bounded below.
/// </summary>
public sealed class OutpostMetrics
{
    private static readonly double[] RequestBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>Starts take from under a second (a local process) to many minutes (a queued batch job).</summary>
    private static readonly double[] StartBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>Waiting for a turn is usually instant; seconds mean another start or stop of the same server held it.</summary>
    private static readonly double[] QueueBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60];

    /// <summary>From a moment (a hub that answers) to hours (a hub that was down, up to the events' maximum age).</summary>
    private static readonly double[] RelayBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400];

    private readonly ConcurrentDictionary<(string Method, string Route, int Status), MetricHistogram> _requests = new();
    private readonly ConcurrentDictionary<(string Backend, string Outcome), long> _starts = new();
    private readonly ConcurrentDictionary<(string Backend, string Outcome), MetricHistogram> _startDurations = new();
    private readonly ConcurrentDictionary<string, MetricHistogram> _queueWaits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricHistogram> _relayLatencies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Backend, string Kind), long> _backendErrors = new();
    private long _eventsDelivered;
    private long _eventsDropped;

    /// <summary>
    /// Records one request. Every label comes from a fixed set, so clients cannot grow the scrape: the method is one
    /// of <see cref="KnownMethods"/> or <c>OTHER</c>, the route a matched template (the caller passes "unmatched"
    /// otherwise), and the status a code between 100 and 599 or 0 ("not a valid status").
    /// </summary>
    public void ObserveRequest(string method, string route, int status, TimeSpan elapsed) =>
        _requests.GetOrAdd((MethodLabel(method), route, status is >= 100 and <= 599 ? status : 0), _ => new MetricHistogram(RequestBuckets)).Observe(elapsed.TotalSeconds);

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

    /// <summary>
    /// A start reached its backend after <paramref name="wait"/> since the request: the time spent waiting for the
    /// server's lock (another start or stop of it in flight) and for storing it.
    /// </summary>
    public void StartQueued(string backend, TimeSpan wait) =>
        _queueWaits.GetOrAdd(backend, _ => new MetricHistogram(QueueBuckets)).Observe(wait.TotalSeconds);

    /// <summary>
    /// A start ended with <paramref name="outcome"/>; <paramref name="duration"/> is the backend's part (from its start
    /// call to the outcome), null when the start ended before the backend was called.
    /// </summary>
    public void StartFinished(string backend, StartOutcome outcome, TimeSpan? duration)
    {
        var label = OutcomeLabel(outcome);
        _starts.AddOrUpdate((backend, label), 1, (_, n) => n + 1);
        if (duration is { } elapsed)
        {
            _startDurations.GetOrAdd((backend, label), _ => new MetricHistogram(StartBuckets)).Observe(elapsed.TotalSeconds);
        }
    }

    /// <summary>A backend call failed (or, for <see cref="BackendErrorKind.StatusUnknown"/>, could not tell).</summary>
    public void BackendError(string backend, BackendErrorKind kind) =>
        _backendErrors.AddOrUpdate((backend, KindLabel(kind)), 1, (_, n) => n + 1);

    /// <summary>
    /// An event left the outbox: accepted by the hub (<paramref name="accepted"/>, then <paramref name="sinceStored"/>
    /// is the relay's latency from storing to delivery), or given up.
    /// </summary>
    public void EventDelivered(bool accepted, string? hub = null, TimeSpan? sinceStored = null)
    {
        Interlocked.Increment(ref accepted ? ref _eventsDelivered : ref _eventsDropped);
        if (accepted && hub is not null && sinceStored is { } latency)
        {
            _relayLatencies.GetOrAdd(hub, _ => new MetricHistogram(RelayBuckets)).Observe(latency.TotalSeconds);
        }
    }

    /// <summary>The text of <c>/metrics</c>.</summary>
    public async Task<string> RenderAsync(MetricsSources sources, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        Header(text, "outpost_leader", "gauge", "1 on the replica that runs the background work (event relay, reconciliation, sweeps).");
        text.Append(CultureInfo.InvariantCulture, $"outpost_leader {(sources.Leadership.IsLeader ? 1 : 0)}\n");

        Header(text, "outpost_servers", "gauge", "Servers by backend and phase.");
        foreach (var (backend, phase, count) in await sources.Servers.CountAsync(cancellationToken))
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_servers{{backend=\"{Escape(backend)}\",phase=\"{phase}\"}} {count}\n");
        }

        Header(text, "outpost_starts_total", "counter", "Finished starts by backend and outcome (succeeded, failed, timed_out, cancelled).");
        foreach (var ((backend, outcome), count) in _starts.OrderBy(p => p.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_starts_total{{backend=\"{Escape(backend)}\",outcome=\"{outcome}\"}} {count}\n");
        }
        Header(text, "outpost_start_duration_seconds", "histogram", "Time from the backend's start call to the start's outcome, by backend and outcome.");
        foreach (var ((backend, outcome), histogram) in _startDurations.OrderBy(p => p.Key))
        {
            histogram.Render(text, "outpost_start_duration_seconds", $"backend=\"{Escape(backend)}\",outcome=\"{outcome}\"");
        }
        Header(text, "outpost_start_queue_wait_seconds", "histogram", "Time from a start request to its backend's start call (waiting for the server's turn), by backend.");
        foreach (var (backend, histogram) in _queueWaits.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            histogram.Render(text, "outpost_start_queue_wait_seconds", $"backend=\"{Escape(backend)}\"");
        }
        Header(text, "outpost_backend_errors_total", "counter", "Failed backend calls by backend and kind (start, stop, status, status_unknown, logs).");
        foreach (var ((backend, kind), count) in _backendErrors.OrderBy(p => p.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_backend_errors_total{{backend=\"{Escape(backend)}\",kind=\"{kind}\"}} {count}\n");
        }

        await RenderBacklogAsync(text, sources, cancellationToken);
        Header(text, "outpost_events_total", "counter", "Progress events handed over to hubs (delivered) or given up (dropped).");
        text.Append(CultureInfo.InvariantCulture, $"outpost_events_total{{result=\"delivered\"}} {Interlocked.Read(ref _eventsDelivered)}\n");
        text.Append(CultureInfo.InvariantCulture, $"outpost_events_total{{result=\"dropped\"}} {Interlocked.Read(ref _eventsDropped)}\n");
        Header(text, "outpost_event_delivery_seconds", "histogram", "Time from storing a progress event to its delivery to the hub, by hub.");
        foreach (var (hub, histogram) in _relayLatencies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            histogram.Render(text, "outpost_event_delivery_seconds", $"hub=\"{Escape(hub)}\"");
        }

        Header(text, "outpost_http_request_duration_seconds", "histogram", "HTTP request durations by route.");
        foreach (var ((method, route, status), histogram) in _requests.OrderBy(p => p.Key))
        {
            histogram.Render(text, "outpost_http_request_duration_seconds", $"method=\"{method}\",route=\"{Escape(route)}\",status=\"{status}\"");
        }
        return text.ToString();
    }

    /// <summary>The outbox per hub; configured hubs with nothing waiting show 0, so their graphs do not break off.</summary>
    private static async Task RenderBacklogAsync(StringBuilder text, MetricsSources sources, CancellationToken cancellationToken)
    {
        var backlog = await sources.Operations.EventBacklogAsync(cancellationToken);
        var byHub = new SortedDictionary<string, (int Count, double OldestSeconds)>(StringComparer.Ordinal);
        foreach (var hub in sources.ConfiguredHubs)
        {
            byHub[hub] = (0, 0);
        }
        foreach (var entry in backlog)
        {
            byHub[entry.Hub] = (entry.Count, Math.Max(0, (sources.Now - entry.OldestCreatedAt).TotalSeconds));
        }
        Header(text, "outpost_event_relay_backlog", "gauge", "Progress events stored and not yet delivered.");
        text.Append(CultureInfo.InvariantCulture, $"outpost_event_relay_backlog {backlog.Sum(b => b.Count)}\n");
        Header(text, "outpost_event_backlog", "gauge", "Progress events stored and not yet delivered, by hub.");
        foreach (var (hub, (count, _)) in byHub)
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_event_backlog{{hub=\"{Escape(hub)}\"}} {count}\n");
        }
        Header(text, "outpost_event_backlog_oldest_seconds", "gauge", "Age of the oldest undelivered progress event, by hub (0 when none waits).");
        foreach (var (hub, (_, oldest)) in byHub)
        {
            text.Append(CultureInfo.InvariantCulture, $"outpost_event_backlog_oldest_seconds{{hub=\"{Escape(hub)}\"}} {oldest}\n");
        }
    }

    private static void Header(StringBuilder text, string name, string type, string help)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n");
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} {type}\n");
    }

    private static string OutcomeLabel(StartOutcome outcome) => outcome switch
    {
        StartOutcome.Succeeded => "succeeded",
        StartOutcome.TimedOut => "timed_out",
        StartOutcome.Cancelled => "cancelled",
        _ => "failed",
    };

    private static string KindLabel(BackendErrorKind kind) => kind switch
    {
        BackendErrorKind.Start => "start",
        BackendErrorKind.Stop => "stop",
        BackendErrorKind.Status => "status",
        BackendErrorKind.StatusUnknown => "status_unknown",
        _ => "logs",
    };

    /// <summary>Escapes a label value: backslash, double quote and line feed, as the text format requires.</summary>
    internal static string Escape(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal);
}
