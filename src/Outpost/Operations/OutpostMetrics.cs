using System.Diagnostics.Metrics;

namespace Outpost.Operations;

/// <summary>
/// The Outpost's instruments, on the <c>Outpost</c> meter (so any listener can read them: dotnet-counters, an
/// OpenTelemetry SDK), and the text of <c>/metrics</c>, which also carries ASP.NET Core's and the runtime's
/// instruments (<see cref="PrometheusCollector"/>). Server counts and event backlogs are read from the store at
/// scrape time, so they are always true. Every label comes from a fixed set: backend names and hub names are
/// configured (or, for hubs, stored by <c>outpost hub add</c>), outcomes and error kinds are constants here, and
/// request labels are bounded below.
/// </summary>
public sealed class OutpostMetrics : IDisposable
{
    /// <summary>The name of the Outpost's meter.</summary>
    public const string MeterName = "Outpost";

    private static readonly double[] RequestBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>Starts take from under a second (a local process) to many minutes (a queued batch job).</summary>
    private static readonly double[] StartBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>Waiting for a turn is usually instant; seconds mean another start or stop of the same server held it.</summary>
    private static readonly double[] QueueBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60];

    /// <summary>From a moment (a hub that answers) to hours (a hub that was down, up to the events' maximum age).</summary>
    private static readonly double[] RelayBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly PrometheusCollector _collector;
    private readonly Histogram<double> _requests;
    private readonly Counter<long> _starts;
    private readonly Histogram<double> _startDurations;
    private readonly Histogram<double> _queueWaits;
    private readonly Counter<long> _backendErrors;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _relayLatencies;

    /// <summary>What the scrape in progress read from the store; the observable gauges report it.</summary>
    private volatile ScrapeReadings? _readings;

    /// <summary>
    /// The instruments on a meter of <paramref name="meterFactory"/> (the host's, so the exposition also carries that
    /// host's ASP.NET Core meters), or on a meter of their own without one (unit tests).
    /// </summary>
    public OutpostMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        // Created in the order /metrics lists them; names and units chosen so the exposition keeps its names.
        _meter.CreateObservableGauge<int>("outpost.leader", () => _readings is { } r ? [new Measurement<int>(r.IsLeader ? 1 : 0)] : Array.Empty<Measurement<int>>(),
            description: "1 on the replica that runs the background work (event relay, reconciliation, sweeps).");
        _meter.CreateObservableGauge<long>("outpost.servers", () => _readings?.Servers ?? [], description: "Servers by backend and phase.");
        _starts = _meter.CreateCounter<long>("outpost.starts",
            description: "Finished starts by backend and outcome (succeeded, failed, timed_out, cancelled).");
        _startDurations = _meter.CreateHistogram("outpost.start.duration", "s",
            "Time from the backend's start call to the start's outcome, by backend and outcome.", advice: Buckets(StartBuckets));
        _queueWaits = _meter.CreateHistogram("outpost.start.queue_wait", "s",
            "Time from a start request to its backend's start call (waiting for the server's turn), by backend.", advice: Buckets(QueueBuckets));
        _backendErrors = _meter.CreateCounter<long>("outpost.backend.errors",
            description: "Failed backend calls by backend and kind (start, stop, status, status_unknown, logs).");
        _meter.CreateObservableGauge<long>("outpost.event_relay.backlog", () => _readings?.Backlog ?? [],
            description: "Progress events stored and not yet delivered.");
        _meter.CreateObservableGauge<long>("outpost.event.backlog", () => _readings?.BacklogByHub ?? [],
            description: "Progress events stored and not yet delivered, by hub.");
        _meter.CreateObservableGauge<double>("outpost.event.backlog.oldest", () => _readings?.OldestByHub ?? [], "s",
            "Age of the oldest undelivered progress event, by hub (0 when none waits).");
        _events = _meter.CreateCounter<long>("outpost.events",
            description: "Progress events handed over to hubs (delivered) or given up (dropped).");
        _relayLatencies = _meter.CreateHistogram("outpost.event.delivery", "s",
            "Time from storing a progress event to its delivery to the hub, by hub.", advice: Buckets(RelayBuckets));
        _requests = _meter.CreateHistogram("outpost.http.request.duration", "s", "HTTP request durations by route.", advice: Buckets(RequestBuckets));
        _collector = new PrometheusCollector(_meter, meterFactory);
        // Both results are always listed, also before the first event.
        _events.Add(0, new KeyValuePair<string, object?>("result", "delivered"));
        _events.Add(0, new KeyValuePair<string, object?>("result", "dropped"));
    }

    /// <summary>
    /// Records one request. Every label comes from a fixed set, so clients cannot grow the scrape: the method is one
    /// of <see cref="KnownMethods"/> or <c>OTHER</c>, the route a matched template (the caller passes "unmatched"
    /// otherwise), and the status a code between 100 and 599 or 0 ("not a valid status").
    /// </summary>
    public void ObserveRequest(string method, string route, int status, TimeSpan elapsed) =>
        _requests.Record(Math.Max(0, elapsed.TotalSeconds),
            new KeyValuePair<string, object?>("method", MethodLabel(method)),
            new KeyValuePair<string, object?>("route", route),
            new KeyValuePair<string, object?>("status", status is >= 100 and <= 599 ? status : 0));

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
        _queueWaits.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>("backend", backend));

    /// <summary>
    /// A start ended with <paramref name="outcome"/>; <paramref name="duration"/> is the backend's part (from its start
    /// call to the outcome), null when the start ended before the backend was called.
    /// </summary>
    public void StartFinished(string backend, StartOutcome outcome, TimeSpan? duration)
    {
        var backendTag = new KeyValuePair<string, object?>("backend", backend);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", OutcomeLabel(outcome));
        _starts.Add(1, backendTag, outcomeTag);
        if (duration is { } elapsed)
        {
            _startDurations.Record(Math.Max(0, elapsed.TotalSeconds), backendTag, outcomeTag);
        }
    }

    /// <summary>A backend call failed (or, for <see cref="BackendErrorKind.StatusUnknown"/>, could not tell).</summary>
    public void BackendError(string backend, BackendErrorKind kind) =>
        _backendErrors.Add(1, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("kind", KindLabel(kind)));

    /// <summary>
    /// An event left the outbox: accepted by the hub (<paramref name="accepted"/>, then <paramref name="sinceStored"/>
    /// is the relay's latency from storing to delivery), or given up.
    /// </summary>
    public void EventDelivered(bool accepted, string? hub = null, TimeSpan? sinceStored = null)
    {
        _events.Add(1, new KeyValuePair<string, object?>("result", accepted ? "delivered" : "dropped"));
        if (accepted && hub is not null && sinceStored is { } latency)
        {
            _relayLatencies.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("hub", hub));
        }
    }

    /// <summary>The text of <c>/metrics</c>.</summary>
    public async Task<string> RenderAsync(MetricsSources sources, CancellationToken cancellationToken)
    {
        var servers = await sources.Servers.CountAsync(cancellationToken);
        var backlog = await sources.Operations.EventBacklogAsync(cancellationToken);
        // Configured hubs with nothing waiting show 0, so their graphs do not break off.
        var byHub = new SortedDictionary<string, (int Count, double OldestSeconds)>(StringComparer.Ordinal);
        foreach (var hub in sources.ConfiguredHubs)
        {
            byHub[hub] = (0, 0);
        }
        foreach (var entry in backlog)
        {
            byHub[entry.Hub] = (entry.Count, Math.Max(0, (sources.Now - entry.OldestCreatedAt).TotalSeconds));
        }
        _readings = new ScrapeReadings(
            sources.Leadership.IsLeader,
            [.. servers.Select(s => new Measurement<long>(s.Count, Tag("backend", s.Backend), Tag("phase", s.Phase.ToString())))],
            [new Measurement<long>(backlog.Sum(b => (long)b.Count))],
            [.. byHub.Select(h => new Measurement<long>(h.Value.Count, Tag("hub", h.Key)))],
            [.. byHub.Select(h => new Measurement<double>(h.Value.OldestSeconds, Tag("hub", h.Key)))]);
        return await _collector.RenderAsync(cancellationToken);
    }

    public void Dispose()
    {
        _collector.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private static InstrumentAdvice<double> Buckets(double[] boundaries) => new() { HistogramBucketBoundaries = boundaries };

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
