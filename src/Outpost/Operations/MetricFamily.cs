using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Outpost.Operations;

/// <summary>
/// One Prometheus metric family: its series by label set. Observed kinds are emptied before each scrape's
/// observation, so a series that is gone (no servers left in a phase) leaves the scrape as it did before.
/// </summary>
internal sealed class MetricFamily(string name, MetricKind kind, string help, double[] buckets, int order)
{
    private readonly ConcurrentDictionary<string, MetricHistogram> _histograms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricValue> _values = new(StringComparer.Ordinal);

    public MetricKind Kind => kind;

    public int Order => order;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = PrometheusCollector.Labels(tags);
        switch (kind)
        {
            case MetricKind.Histogram:
                _histograms.GetOrAdd(labels, _ => new MetricHistogram(buckets)).Observe(value);
                break;
            case MetricKind.Counter or MetricKind.Sum:
                _values.GetOrAdd(labels, _ => new MetricValue()).Add(value);
                break;
            default:
                _values.GetOrAdd(labels, _ => new MetricValue()).Set(value);
                break;
        }
    }

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
