using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Outpost.Operations;

/// <summary>
/// Listens to the Outpost's meter and to the built-in meters of ASP.NET Core and the runtime, aggregates what they
/// measure, and writes it in the Prometheus text format, named the way OpenTelemetry's Prometheus exporter names
/// instruments (dots become underscores, the unit a suffix, counters end in <c>_total</c>). Not that exporter itself
/// (1.20.1-beta.1; measured: AOT-clean, +1.3 MB binary, +3.7 MiB idle RSS): it adds an <c>otel_scope_name</c> label
/// to every series and a <c>target_info</c> family, and reads gauges only through synchronous callbacks, while the
/// store's counts are read asynchronously at scrape time; this way /metrics keeps its exact text. Only meters of this host are heard (its own meter and those of its <see cref="IMeterFactory"/>; the
/// runtime's is process-wide), so hosts that share a process (tests) do not count each other's requests.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    /// <summary>The built-in meters exported besides the Outpost's own.</summary>
    public static IReadOnlyList<string> BuiltInMeters { get; } = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>OpenTelemetry's default boundaries, for histograms that advise none.</summary>
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly Meter _own;
    private readonly object? _scope;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _scrape = new(1, 1);
    private int _nextOrder;

    public PrometheusCollector(Meter own, object? scope)
    {
        _own = own;
        _scope = scope;
        _listener.InstrumentPublished = Publish;
        _listener.SetMeasurementEventCallback<double>(static (i, v, t, s) => ((MetricFamily)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<float>(static (i, v, t, s) => ((MetricFamily)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<long>(static (i, v, t, s) => ((MetricFamily)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<int>(static (i, v, t, s) => ((MetricFamily)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<short>(static (i, v, t, s) => ((MetricFamily)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<byte>(static (i, v, t, s) => ((MetricFamily)s!).Record(v, t));
        _listener.SetMeasurementEventCallback<decimal>(static (i, v, t, s) => ((MetricFamily)s!).Record((double)v, t));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments (their callbacks run now) and writes every family.</summary>
    public async Task<string> RenderAsync(CancellationToken cancellationToken)
    {
        await _scrape.WaitAsync(cancellationToken);
        try
        {
            foreach (var family in _families.Values)
            {
                family.BeginObservation();
            }
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var family in _families.Values.OrderBy(f => f.Order))
            {
                family.Render(text);
            }
            return text.ToString();
        }
        finally
        {
            _scrape.Release();
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _scrape.Dispose();
    }

    private void Publish(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var ours = ReferenceEquals(meter, _own)
            || (BuiltInMeters.Contains(meter.Name) && (meter.Scope is null ? meter.Name == "System.Runtime" : ReferenceEquals(meter.Scope, _scope)));
        if (!ours)
        {
            return;
        }
        var kind = KindOf(instrument);
        var name = PrometheusName(instrument, kind);
        // Own instruments first, in the order they were made; the built-in ones after them.
        var order = (ReferenceEquals(meter, _own) ? 0 : 1_000_000) + Interlocked.Increment(ref _nextOrder);
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, kind, instrument.Description ?? instrument.Name, BucketsOf(instrument), order));
        if (family.Kind == kind)
        {
            listener.EnableMeasurementEvents(instrument, family);
        }
    }

    private static MetricKind KindOf(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> or Counter<float> or Counter<short> or Counter<byte> or Counter<decimal> => MetricKind.Counter,
        ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> or ObservableCounter<float>
            or ObservableCounter<short> or ObservableCounter<byte> or ObservableCounter<decimal> => MetricKind.ObservedCounter,
        Histogram<double> or Histogram<float> or Histogram<long> or Histogram<int> or Histogram<short> or Histogram<byte> or Histogram<decimal> => MetricKind.Histogram,
        UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> or UpDownCounter<float>
            or UpDownCounter<short> or UpDownCounter<byte> or UpDownCounter<decimal> => MetricKind.Sum,
        _ when instrument.IsObservable => MetricKind.ObservedGauge,
        _ => MetricKind.Gauge,
    };

    private static double[] BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { } b } => [.. b],
        Histogram<long> { Advice.HistogramBucketBoundaries: { } b } => [.. b.Select(x => (double)x)],
        Histogram<int> { Advice.HistogramBucketBoundaries: { } b } => [.. b.Select(x => (double)x)],
        _ => DefaultBuckets,
    };

    /// <summary>The name OpenTelemetry's Prometheus exporter gives an instrument.</summary>
    internal static string PrometheusName(Instrument instrument, MetricKind kind)
    {
        var name = LabelName(instrument.Name);
        var suffix = instrument.Unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            _ => null, // dimensionless and annotations ({request}) add nothing
        };
        if (suffix is not null && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }
        if (kind is MetricKind.Counter or MetricKind.ObservedCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }
        return name;
    }

    /// <summary>A metric or label name: letters, digits and underscores only (<c>http.route</c> becomes <c>http_route</c>).</summary>
    internal static string LabelName(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_')
            {
                chars[i] = '_';
            }
        }
        return new string(chars);
    }

    /// <summary>The labels of one measurement, in the order given, values escaped (<c>a="x",b="y"</c>).</summary>
    internal static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }
        var text = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }
            var rendered = value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value?.ToString() ?? "",
            };
            text.Append(LabelName(key)).Append("=\"").Append(OutpostMetrics.Escape(rendered)).Append('"');
        }
        return text.ToString();
    }
}
