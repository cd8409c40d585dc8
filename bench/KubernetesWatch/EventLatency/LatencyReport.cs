using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;


namespace Outpost.Bench.KubernetesWatch.EventLatency;

// Numbers come out with the invariant culture: every project here runs with InvariantGlobalization (Directory.Build.props).

/// <summary>
/// The P7 section of bench/RESULTS.md, between its own markers, so that scripts/bench (P1–P6), bench/hubscale/run
/// (P8–P10) and bench/spawner/run each keep their parts; placed after the hubscale section when there is one.
/// </summary>
internal static class LatencyReport
{
    public const string Begin = "<!-- bench/KubernetesWatch p7: begin -->";
    public const string End = "<!-- bench/KubernetesWatch p7: end -->";
    private const string HubscaleEnd = "<!-- bench/hubscale/run: end -->";

    public static string SummaryTable(LatencyResult r)
    {
        var o = r.Options;
        var sb = new StringBuilder();
        sb.AppendLine("| id | measure | figure | baseline (same run) | ratio | target | result |");
        sb.AppendLine("|---|---|---|---|---:|---|---|");
        sb.AppendLine($"| P7 | Kubernetes, {o.Pods:N0} running pods in one watch, {o.Starting} starting at once ({o.Rate:0} pod events/s): a pod event (watch line written) to the hub's events handler, p99 (p50) | {r.P99:0.0} ms ({r.P50:0.0} ms) | raw watch reader on the same fake {r.RawP99:0.00} ms ({r.RawP50:0.00} ms) | {r.P99 / r.RawP99:0.0} | ≤ 100 ms | {Verdict(r.LatencyPasses)} |");
        sb.AppendLine($"| P7 | resident memory of the Outpost process with {o.Pods:N0} pods watched (peak over the run) | {r.ResidentPeak / 1e6:0} MB (after the fill {r.ResidentAfterFill / 1e6:0} MB, at the end {r.ResidentEnd / 1e6:0} MB) | — | — | ≤ 200 MB | {Verdict(r.MemoryPasses)} |");
        return sb.ToString();
    }

    public static string Section(LatencyResult r)
    {
        var o = r.Options;
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.AppendLine("## P7: Kubernetes pod events to the hub (bench/KubernetesWatch)");
        sb.AppendLine();
        sb.AppendLine($"Written by `scripts/bench --only P7` (`dotnet run -c Release --project bench/KubernetesWatch -- {r.Command}`); the rest of this file is kept.");
        sb.AppendLine();
        sb.AppendLine($"- Date: {r.Began:yyyy-MM-dd HH:mm} UTC; the run took {r.TookSeconds:0} s. Machine: {Environment.ProcessorCount} cores; {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
        sb.AppendLine($"- Load average before: {string.Join(' ', r.LoadBefore)}; after: {string.Join(' ', r.LoadAfter)}. Other work shared the machine.");
        var build = r.Executable.EndsWith(".dll", StringComparison.Ordinal)
            ? $"the JIT build `dotnet {Path.GetFileName(r.Executable)} serve` (not as it ships)"
            : "the published Native AOT `outpost serve` (scripts/publish-outpost)";
        sb.AppendLine($"- The Outpost is {build}, configured by environment variables: " +
                      "the Kubernetes backend by default with a kubeconfig naming the wire-level fake API server (tests/Outpost.IntegrationTests/Backends/Kubernetes), " +
                      "SQLite, the product's log levels. The fake and a stand-in for the hub's events handler (it notes when each POST's body has arrived and answers 200) " +
                      "run in the bench process; both clocks are the same monotonic clock.");
        sb.AppendLine($"- Fill: {o.Pods:N0} asynchronous starts; the fake runs each pod through its start-up at once (Scheduled, Pulling, Pulled, Created, Started Events, then Running). " +
                                $"All running after {r.FillSeconds:0.0} s, Outpost CPU {r.FillCpuSeconds:0.0} s.");
        sb.AppendLine($"- Each round: {o.Starting} more asynchronous starts; once every pod exists and its start reported \"waiting\", the fake writes their pod events at a steady {o.Rate:0}/s, " +
                                "step by step for all pods (the five Events, then phase Running). The clock runs from the moment the fake flushed the event's watch line to the Outpost " +
                                "to the moment the hub stand-in has the progress event it became (Kubernetes backend → outbox → relay → HTTP POST). Baseline: a raw line reader watching the same " +
                                "pods and Events on the same fake, from the flush to its read of the line. Then the round's servers are stopped.");
        sb.AppendLine();
        sb.Append(SummaryTable(r));
        sb.AppendLine();
        sb.AppendLine("| round | events | Outpost p50 ms | p99 ms | max ms | watch → outbox p50 / p99 ms | outbox → hub p50 / p99 ms | raw p50 ms | raw p99 ms | round s | Outpost CPU s | RSS after MB |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var round in r.Rounds)
        {
            sb.AppendLine($"| {round.Round} | {round.Outpost.Length} | {LatencyRound.Percentile(round.Outpost, 50):0.0} | {LatencyRound.Percentile(round.Outpost, 99):0.0} | {round.Outpost.Max():0.0} | " +
                                    $"{LatencyRound.Percentile(round.ToOutbox, 50):0.0} / {LatencyRound.Percentile(round.ToOutbox, 99):0.0} | {LatencyRound.Percentile(round.OutboxToHub, 50):0.0} / {LatencyRound.Percentile(round.OutboxToHub, 99):0.0} | " +
                                    $"{LatencyRound.Percentile(round.Raw, 50):0.00} | {LatencyRound.Percentile(round.Raw, 99):0.00} | {round.Seconds:0.0} | {round.OutpostCpuSeconds:0.0} | {round.ResidentAfter / 1e6:0} |");
        }
        sb.AppendLine();
        sb.AppendLine("Figures are medians over the rounds; a round's p99 is over every pod event of that round. \"watch → outbox\" ends when the backend " +
                      "reported the event (the backend's watch, cache and start loop); \"outbox → hub\" is the outbox append, the relay and its POST.");
        sb.AppendLine(End);
        return sb.ToString();
    }

    /// <summary>Replaces the P7 section of <paramref name="file"/>, or adds it after the hubscale section (else at the end).</summary>
    public static void WriteSection(string file, LatencyResult r)
    {
        var section = Section(r).TrimEnd('\n');
        var text = File.Exists(file) ? File.ReadAllText(file) : "# Outpost benchmark results\n";
        var from = text.IndexOf(Begin, StringComparison.Ordinal);
        var to = from < 0 ? -1 : text.IndexOf(End, from, StringComparison.Ordinal);
        if (to > from)
        {
            text = text[..from] + section + text[(to + End.Length)..];
        }
        else if (text.IndexOf(HubscaleEnd, StringComparison.Ordinal) is var hubscale and >= 0)
        {
            var at = hubscale + HubscaleEnd.Length;
            text = text[..at] + "\n\n" + section + text[at..];
        }
        else
        {
            text = text.TrimEnd('\n') + "\n\n" + section + "\n";
        }
        File.WriteAllText(file, text);
    }

    public static string Json(LatencyResult r) => new JsonObject
    {
        ["pods"] = r.Options.Pods,
        ["starting"] = r.Options.Starting,
        ["rate"] = r.Options.Rate,
        ["p99_ms"] = r.P99,
        ["p50_ms"] = r.P50,
        ["raw_p99_ms"] = r.RawP99,
        ["raw_p50_ms"] = r.RawP50,
        ["resident_peak_bytes"] = r.ResidentPeak,
        ["resident_after_fill_bytes"] = r.ResidentAfterFill,
        ["fill_s"] = r.FillSeconds,
        ["rounds"] = new JsonArray([.. r.Rounds.Select(x => (JsonNode)new JsonObject
        {
            ["p50_ms"] = LatencyRound.Percentile(x.Outpost, 50),
            ["p99_ms"] = LatencyRound.Percentile(x.Outpost, 99),
            ["max_ms"] = x.Outpost.Max(),
            ["raw_p99_ms"] = LatencyRound.Percentile(x.Raw, 99),
            ["events"] = x.Outpost.Length,
            ["cpu_s"] = x.OutpostCpuSeconds,
        })]),
        ["date"] = r.Began.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
    }.ToJsonString();

    private static string Verdict(bool pass) => pass ? "**pass**" : "**short**";

}
