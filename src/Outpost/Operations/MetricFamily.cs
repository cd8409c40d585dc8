using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Outpost.Operations;

/// <summary>
/// One Prometheus metric family: its series by label set. Observed kinds are emptied before each scrape's
/// observation, so a series that is gone (no servers left in a phase) leaves the scrape as it did before. The other
/// kinds find a tag set's series through <see cref="MetricSeriesIndex{TSeries}"/>, without rendering its labels again.
/// </summary>
internal sealed class MetricFamily(string name, MetricKind kind, string help, double[] buckets, int order)
{
    private readonly ConcurrentDictionary<string, MetricHistogram> _histograms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricValue> _values = new(StringComparer.Ordinal);
    private readonly MetricSeriesIndex<MetricHistogram> _histogramIndex = new();
    private readonly MetricSeriesIndex<MetricValue> _valueIndex = new();
    private readonly Func<string, MetricHistogram> _newHistogram = _ => new MetricHistogram(buckets);

    public MetricKind Kind => kind;

    public int Order => order;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        switch (kind)
        {
            case MetricKind.Histogram:
                (_histogramIndex.Find(tags) ?? _histogramIndex.Add(tags, _histograms.GetOrAdd(PrometheusCollector.Labels(tags), _newHistogram))).Observe(value);
                break;
            case MetricKind.Counter or MetricKind.Sum:
                (_valueIndex.Find(tags) ?? _valueIndex.Add(tags, _values.GetOrAdd(PrometheusCollector.Labels(tags), NewValue))).Add(value);
                break;
            case MetricKind.Gauge:
                (_valueIndex.Find(tags) ?? _valueIndex.Add(tags, _values.GetOrAdd(PrometheusCollector.Labels(tags), NewValue))).Set(value);
                break;
            default:
                // Observed kinds report at scrape time only, and their series are emptied before each: no index.
                _values.GetOrAdd(PrometheusCollector.Labels(tags), NewValue).Set(value);
                break;
        }
    }

    private static MetricValue NewValue(string labels) => new();

    /// <summary>Before the observable callbacks run: what they do not report again is gone.</summary>
    public void BeginObservation()
    {
        if (kind is MetricKind.ObservedCounter or MetricKind.ObservedGauge)
        {
            _values.Clear();
        }
    }

    public void Render(StringBuilder text)
    {
        var type = kind switch
        {
            MetricKind.Counter or MetricKind.ObservedCounter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        };
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\n");
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} {type}\n");
        if (kind == MetricKind.Histogram)
        {
            foreach (var (labels, histogram) in _histograms.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                histogram.Render(text, name, labels);
            }
            return;
        }
        foreach (var (labels, value) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var braces = labels.Length == 0 ? "" : $"{{{labels}}}";
            text.Append(CultureInfo.InvariantCulture, $"{name}{braces} {value.Value}\n");
        }
    }
}
