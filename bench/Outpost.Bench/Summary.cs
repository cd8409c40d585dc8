using System.Globalization;
using Outpost.Bench.Chain;
using Outpost.Bench.Concurrency;
using Outpost.Bench.Load;
using Outpost.Bench.Memory;
using Outpost.Bench.StartStop;

namespace Outpost.Bench;

/// <summary>One row of the summary: a figure, the baseline measured in the same run, and the verdict against the target.</summary>
public sealed record SummaryRow(string Id, string Measure, string Figure, string Baseline, string Ratio, string Target, string Result);

/// <summary>The targets (P1–P6) applied to what one run measured.</summary>
public static class Summary
{
    public const string Pass = "**pass**";
    public const string Short = "**short**";
    public const string NotMeasured = "not measured in this run";

    public const double MinPollRatio = 0.40;
    public const double MaxPollP99Ms = 5;
    public const double MaxStartMs = 2;
    public const double MaxStopMs = 5;
    public const double MaxBurstBeyondSeconds = 0.7;
    public const double MaxIdleMiB = 80;
    public const double MaxBytesPerServer = 5000;
    public static readonly IReadOnlyDictionary<int, double> MaxRestartSeconds = new Dictionary<int, double> { [1000] = 0.5, [10000] = 1.0 };

    public static IReadOnlyList<SummaryRow> Rows(
        BenchOptions options, IReadOnlyList<PollPair> polls, IReadOnlyList<InstantRun> instant, IReadOnlyList<StartBurst> bursts,
        MemoryAndRestartResults memory, ChainResults? chain, string? chainMissing)
    {
        var rows = new List<SummaryRow>();
        foreach (var group in polls.GroupBy(p => p.Outpost.Load.Connections))
        {
            var pairs = group.ToArray();
            var ratio = Stats.Median(pairs.Select(p => p.Ratio));
            var p99 = Stats.Median(pairs.Select(p => p.Outpost.Load.P99Ms));
            rows.Add(new SummaryRow("P1",
                $"poll throughput, {options.Servers:N0} servers, {group.Key} connections",
                $"{Stats.Median(pairs.Select(p => p.Outpost.Load.RequestsPerSecond)):N0} req/s, p99 {p99:0.00} ms",
                $"bare endpoint {Stats.Median(pairs.Select(p => p.Bare.Load.RequestsPerSecond)):N0} req/s, p99 {Stats.Median(pairs.Select(p => p.Bare.Load.P99Ms)):0.00} ms",
                F(ratio), $"ratio ≥ {MinPollRatio:0.00}; p99 ≤ {MaxPollP99Ms:0} ms",
                Verdict(ratio >= MinPollRatio && p99 <= MaxPollP99Ms)));
        }

        var start = Stats.Median(instant.Select(r => r.Outpost.StartP50));
        var bareStart = Stats.Median(instant.Select(r => r.Bare.StartP50));
        rows.Add(new SummaryRow("P2", "one sync start (instant backend: 0 ms of backend time), p50",
            $"{start:0.00} ms", $"bare endpoint, same call: {bareStart:0.00} ms", F(start / bareStart), $"≤ {MaxStartMs:0} ms", Verdict(start <= MaxStartMs)));
        var stop = Stats.Median(instant.Select(r => r.Outpost.StopP50));
        var bareStop = Stats.Median(instant.Select(r => r.Bare.StopP50));
        rows.Add(new SummaryRow("P2", "one sync stop (instant backend), p50",
            $"{stop:0.00} ms", $"bare endpoint, same call: {bareStop:0.00} ms", F(stop / bareStop), $"≤ {MaxStopMs:0} ms", Verdict(stop <= MaxStopMs)));

        var beyond = Stats.Median(bursts.Select(b => b.BeyondBackend(options.BurstDelay)));
        var wall = Stats.Median(bursts.Select(b => b.WallSeconds));
        var errors = bursts.Sum(b => b.Errors);
        rows.Add(new SummaryRow("P3", $"{options.Burst} concurrent sync starts: wall time beyond the backend's",
            $"{beyond:0.000} s beyond ({wall:0.000} s wall), {errors} errors", $"backend's own time {options.BurstDelay.TotalSeconds:0.000} s",
            F(wall / options.BurstDelay.TotalSeconds), $"0 errors; ≤ {MaxBurstBeyondSeconds:0.0} s beyond", Verdict(errors == 0 && beyond <= MaxBurstBeyondSeconds)));

        var idle = memory.MedianResident(0) / 1048576.0;
        var bareIdle = Stats.Median(memory.Bare.Select(s => (double)s.ResidentAfter)) / 1048576.0;
        rows.Add(new SummaryRow("P4", "resident memory, idle (no servers), separate process",
            $"{idle:0.0} MiB", $"bare endpoint {bareIdle:0.0} MiB", F(idle / bareIdle), $"≤ {MaxIdleMiB:0} MiB", Verdict(idle <= MaxIdleMiB)));
        var most = memory.Outpost.Keys.Max();
        var perServer = memory.BytesPerServer(most);
        rows.Add(new SummaryRow("P4", $"resident memory per running server, 0 → {most:N0} servers",
            $"{perServer / 1000:0.00} KB", "—", "—", $"≤ {MaxBytesPerServer / 1000:0} KB", Verdict(perServer <= MaxBytesPerServer)));

        var bareFirst = Stats.Median(memory.Bare.Select(s => s.FirstAnswerSeconds));
        foreach (var size in memory.Outpost.Keys.Where(k => k > 0).Order())
        {
            var first = Stats.Median(memory.Outpost[size].Select(s => s.FirstAnswerSeconds));
            var target = MaxRestartSeconds.TryGetValue(size, out var t) ? t : (double?)null;
            rows.Add(new SummaryRow("P5", $"restart with {size:N0} stored running servers until the first poll answers",
                $"{first:0.000} s", $"bare endpoint, launch to first answer: {bareFirst:0.000} s", F(first / bareFirst),
                target is { } max ? $"≤ {max:0.0} s" : "—", target is { } m ? Verdict(first <= m) : "no target at this size"));
        }

        rows.Add(chain is null
            ? new SummaryRow("P6", "hub spawn-to-ready through the whole chain vs JupyterHub's LocalProcessSpawner", "—", "—", "—", "≤ 1.05×", $"{NotMeasured} ({chainMissing})")
            : new SummaryRow("P6", "hub spawn-to-ready through the whole chain vs JupyterHub's LocalProcessSpawner",
                $"{chain.FigureSeconds:0.000} s", $"LocalProcessSpawner {chain.BaselineSeconds:0.000} s", F(chain.Ratio),
                $"≤ {chain.Target:0.00}×", Verdict(chain.Ratio <= chain.Target)));
        return rows;
    }

    private static string Verdict(bool met) => met ? Pass : Short;

    private static string F(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);
}
