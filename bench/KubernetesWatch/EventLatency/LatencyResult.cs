namespace Outpost.Bench.KubernetesWatch.EventLatency;

/// <summary>What one P7 invocation measured.</summary>
internal sealed record LatencyResult(
    LatencyOptions Options, IReadOnlyList<LatencyRound> Rounds, long ResidentAfterFill, long ResidentEnd, long ResidentPeak,
    double FillSeconds, double FillCpuSeconds, DateTimeOffset Began, string[] LoadBefore, string[] LoadAfter, double TookSeconds,
    string Command, string Executable)
{
    public const double TargetP99Ms = 100;
    public const double TargetResidentBytes = 200e6;

    public double P99 => LatencyRound.Median(Rounds.Select(r => LatencyRound.Percentile(r.Outpost, 99)));
    public double P50 => LatencyRound.Median(Rounds.Select(r => LatencyRound.Percentile(r.Outpost, 50)));
    public double RawP99 => LatencyRound.Median(Rounds.Select(r => LatencyRound.Percentile(r.Raw, 99)));
    public double RawP50 => LatencyRound.Median(Rounds.Select(r => LatencyRound.Percentile(r.Raw, 50)));
    public bool LatencyPasses => P99 <= TargetP99Ms;
    public bool MemoryPasses => ResidentPeak <= TargetResidentBytes;
}
