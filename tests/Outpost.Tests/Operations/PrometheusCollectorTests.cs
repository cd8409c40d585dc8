using System.Diagnostics.Metrics;
using Outpost.Operations;

namespace Outpost.Tests.Operations;

public sealed class PrometheusCollectorTests
{
    /// <summary>The test meter's families (the runtime's meter is process-wide, so its families are in every scrape).</summary>
    private static string Ours(string text) =>
        string.Concat(text.Split("# HELP ").Where(f => f.StartsWith("test_", StringComparison.Ordinal)).Select(f => "# HELP " + f));

    [Fact]
    public async Task Render_RepeatedTagSets_AddUpInOneSeriesEach()
    {
        using var meter = new Meter($"test.{Guid.NewGuid():N}");
        using var collector = new PrometheusCollector(meter, scope: null);
        var requests = meter.CreateCounter<long>("test.requests", description: "Requests.");
        var durations = meter.CreateHistogram<double>("test.duration", "s", "Durations.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });

        for (var i = 0; i < 3; i++)
        {
            requests.Add(1, new KeyValuePair<string, object?>("route", "/a"), new KeyValuePair<string, object?>("status", 200));
            durations.Record(0.05, new KeyValuePair<string, object?>("route", "/a"));
        }
        // A value of another type that renders alike goes to the same series, as the label text is the same.
        requests.Add(1, new KeyValuePair<string, object?>("route", "/a"), new KeyValuePair<string, object?>("status", 200L));
        requests.Add(2, new KeyValuePair<string, object?>("route", "/b"), new KeyValuePair<string, object?>("status", 404));
        durations.Record(0.5, new KeyValuePair<string, object?>("route", "/a"));
        durations.Record(2, new KeyValuePair<string, object?>("route", "/b\"x"));

        Assert.Equal("""
            # HELP test_requests_total Requests.
            # TYPE test_requests_total counter
            test_requests_total{route="/a",status="200"} 4
            test_requests_total{route="/b",status="404"} 2
            # HELP test_duration_seconds Durations.
            # TYPE test_duration_seconds histogram
            test_duration_seconds_bucket{route="/a",le="0.1"} 3
            test_duration_seconds_bucket{route="/a",le="1"} 4
            test_duration_seconds_bucket{route="/a",le="+Inf"} 4
            test_duration_seconds_sum{route="/a"} 0.65
            test_duration_seconds_count{route="/a"} 4
            test_duration_seconds_bucket{route="/b\"x",le="0.1"} 0
            test_duration_seconds_bucket{route="/b\"x",le="1"} 0
            test_duration_seconds_bucket{route="/b\"x",le="+Inf"} 1
            test_duration_seconds_sum{route="/b\"x"} 2
            test_duration_seconds_count{route="/b\"x"} 1

            """.Replace("\r\n", "\n", StringComparison.Ordinal), Ours(await collector.RenderAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task Render_ObservedGauges_ShowOnlyWhatTheLastObservationReported()
    {
        using var meter = new Meter($"test.{Guid.NewGuid():N}");
        using var collector = new PrometheusCollector(meter, scope: null);
        var phases = new List<Measurement<long>> { new(2, new KeyValuePair<string, object?>("phase", "running")), new(1, new KeyValuePair<string, object?>("phase", "pending")) };
        meter.CreateObservableGauge("test.servers", () => phases, description: "Servers.");

        await collector.RenderAsync(CancellationToken.None);
        phases = [new(3, new KeyValuePair<string, object?>("phase", "running"))];

        Assert.Equal("""
            # HELP test_servers Servers.
            # TYPE test_servers gauge
            test_servers{phase="running"} 3

            """.Replace("\r\n", "\n", StringComparison.Ordinal), Ours(await collector.RenderAsync(CancellationToken.None)));
    }
}
