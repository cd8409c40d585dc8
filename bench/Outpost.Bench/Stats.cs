namespace Outpost.Bench;

/// <summary>Percentiles and a few summaries of timings in milliseconds.</summary>
public static class Stats
{
    /// <summary>Nearest-rank percentile of an already sorted array; NaN when empty.</summary>
    public static double PercentileOfSorted(double[] sorted, double percentile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return PercentileOfSorted(sorted, percentile);
    }

    /// <summary>The middle value; with an even count, the mean of the two middle ones (so two rounds give their mean).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
