using System.Text.Json;
using System.Text.RegularExpressions;
using Outpost.IntegrationTests.Status;

namespace Outpost.IntegrationTests.Operations;

/// <summary>
/// deploy/grafana/outpost-dashboard.json graphs only what the Outpost exports: every metric its queries name is a
/// series of a running Outpost's <c>/metrics</c> after starts (succeeded, failed, hanging), deliveries and a backlog.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public async Task Dashboard_EveryQuery_NamesMetricsTheOutpostExports()
    {
        var queries = DashboardQueries();
        Assert.True(queries.Count >= 10, $"only {queries.Count} queries found");
        await using var scenario = await StatusScenario.StartAsync();
        await scenario.PopulateAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(scenario.Outpost.BaseUrl) };
        // Hub1's events are delivered: wait until the relay has seen one, so its latency histogram has a series.
        await scenario.Hub1Events.WaitForEventsAsync(events => events.Count > 0);
        var exported = SampleNames(await anonymous.GetStringAsync("/metrics"));

        foreach (var query in queries)
        {
            var names = MetricName().Matches(query).Select(m => m.Value).ToList();
            Assert.True(names.Count > 0, $"the query '{query}' names no outpost_ metric");
            foreach (var name in names)
            {
                Assert.True(exported.Contains(name), $"the query '{query}' names {name}, which /metrics does not export; it exports: {string.Join(", ", exported.Order())}");
            }
        }
    }

    [Fact]
    public async Task Metrics_EveryFamily_HasHelpAndType_AndHistogramsAreComplete()
    {
        await using var scenario = await StatusScenario.StartAsync();
        await scenario.PopulateAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(scenario.Outpost.BaseUrl) };
        var text = await anonymous.GetStringAsync("/metrics");
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var types = lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToDictionary(p => p[2], p => p[3]);
        var helps = lines.Where(l => l.StartsWith("# HELP ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();

        Assert.Equal(types.Keys.Order(), helps.Order());
        foreach (var sample in SampleNames(text))
        {
            var family = types.ContainsKey(sample) ? sample : Regex.Replace(sample, "_(bucket|sum|count)$", "");
            Assert.True(types.ContainsKey(family), $"{sample} has no # TYPE line");
        }
        foreach (var (family, _) in types.Where(t => t.Value == "histogram"))
        {
            var series = lines.Where(l => l.StartsWith(family + "_", StringComparison.Ordinal)).ToList();
            var buckets = series.Count(l => l.StartsWith(family + "_bucket{", StringComparison.Ordinal) && l.Contains("le=\"+Inf\"", StringComparison.Ordinal));
            Assert.Equal(buckets, series.Count(l => l.StartsWith(family + "_count", StringComparison.Ordinal)));
            Assert.Equal(buckets, series.Count(l => l.StartsWith(family + "_sum", StringComparison.Ordinal)));
        }
        // The scenario's activity shows in the new families.
        Assert.Contains("outpost_starts_total{backend=\"Steered\",outcome=\"failed\"} 1", text);
        Assert.Contains("outpost_backend_errors_total{backend=\"Steered\",kind=\"start\"} 1", text);
        Assert.Contains("outpost_start_queue_wait_seconds_count{backend=\"Steered\"} 6", text);
        Assert.Matches("outpost_event_backlog\\{hub=\"hub2\"\\} [1-9]", text);
        Assert.Contains("outpost_event_backlog{hub=\"hub1\"} ", text);
    }

    /// <summary>The PromQL of every panel target and every query variable of the dashboard.</summary>
    private static List<string> DashboardQueries()
    {
        var path = Path.Combine(RepositoryRoot(), "deploy", "grafana", "outpost-dashboard.json");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
        var queries = new List<string>();
        Collect(dashboard.RootElement, queries);
        return queries;
    }

    private static void Collect(JsonElement element, List<string> queries)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String && (property.Name == "expr" || (property.Name == "query" && property.Value.GetString()!.Contains("outpost_", StringComparison.Ordinal))))
                {
                    queries.Add(property.Value.GetString()!);
                }
                Collect(property.Value, queries);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Collect(item, queries);
            }
        }
    }

    /// <summary>The metric name of every sample line (not the # lines).</summary>
    private static HashSet<string> SampleNames(string metrics) =>
        metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l[..l.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Outpost.slnx")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("the repository's root (Outpost.slnx) is not above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\boutpost_[A-Za-z0-9_]+")]
    private static partial Regex MetricName();
}
