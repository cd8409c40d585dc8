using System.Globalization;
using System.Text;

namespace Outpost.Operations;

/// <summary>
/// One series of a Prometheus histogram: a count per bucket, lock-free, rendered as cumulative <c>_bucket</c> lines
/// (ending with <c>le="+Inf"</c>), <c>_sum</c> and <c>_count</c>. The sum is kept in microseconds, so it is exact
/// for the durations measured here and never torn.
/// </summary>
internal sealed class MetricHistogram(double[] buckets)
{
    private readonly long[] _counts = new long[buckets.Length + 1];
    private long _sumMicros;

    public void Observe(double seconds)
    {
        seconds = Math.Max(0, seconds); // a clock step back must not make a negative duration
        // A loop, not Array.FindIndex with a lambda: this runs on every request, and the lambda captured seconds.
        var index = 0;
        while (index < buckets.Length && seconds > buckets[index])
        {
            index++;
        }
        Interlocked.Increment(ref _counts[index]);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
    }

    /// <summary>Writes the series of <paramref name="name"/> with <paramref name="labels"/> (<c>a="x",b="y"</c>, already escaped).</summary>
    public void Render(StringBuilder text, string name, string labels)
    {
        var prefix = labels.Length == 0 ? "" : labels + ",";
        long cumulative = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{buckets[i]}\"}} {cumulative}\n");
        }
        cumulative += Interlocked.Read(ref _counts[buckets.Length]);
        var braces = labels.Length == 0 ? "" : $"{{{labels}}}";
        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {cumulative}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum{braces} {Interlocked.Read(ref _sumMicros) / 1_000_000.0}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count{braces} {cumulative}\n");
    }
}
