namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>One measured round: latencies in milliseconds (fake's watch write → hub stand-in, and → raw reader).</summary>
/// <remarks><paramref name="ToOutbox"/> and <paramref name="OutboxToHub"/> split <paramref name="Outpost"/> at the moment the backend reported the event (its outbox time).</remarks>
internal sealed record LatencyRound(
    int Round, double[] Outpost, double[] Raw, double[] ToOutbox, double[] OutboxToHub, double Seconds, double OutpostCpuSeconds, long ResidentAfter)
{
    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
