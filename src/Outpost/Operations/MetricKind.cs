namespace Outpost.Operations;

/// <summary>How a family aggregates its measurements and which Prometheus type it has.</summary>
internal enum MetricKind
{
    /// <summary>Counter: measurements are added; a Prometheus counter.</summary>
    Counter,

    /// <summary>ObservableCounter: each observation is the total so far; a Prometheus counter.</summary>
    ObservedCounter,

    /// <summary>UpDownCounter: measurements are added and may be negative; a Prometheus gauge.</summary>
    Sum,

    /// <summary>Gauge: the last measurement per series; a Prometheus gauge.</summary>
    Gauge,

    /// <summary>ObservableGauge and ObservableUpDownCounter: what the last scrape observed; a Prometheus gauge.</summary>
    ObservedGauge,

    /// <summary>Histogram: a Prometheus histogram with the instrument's advised buckets.</summary>
    Histogram,
}
