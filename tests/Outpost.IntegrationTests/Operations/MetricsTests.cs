using System.Net;

namespace Outpost.IntegrationTests.Operations;

/// <summary><c>/metrics</c> as clients without credentials can shape it.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_ThousandsOfMadeUpMethods_StayOneOtherLabel()
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };
        var sent = 0;
        await Parallel.ForAsync(0, 3000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod($"M{i:D5}X"), "/x");
            using var response = await anonymous.SendAsync(request, cancellationToken);
            Interlocked.Increment(ref sent);
        });

        var metrics = await anonymous.GetStringAsync("/metrics");

        Assert.Equal(3000, sent);
        Assert.DoesNotContain("M0", metrics);
        Assert.Contains("method=\"OTHER\",route=\"unmatched\"", metrics);
        Assert.True(metrics.Length < 64 * 1024, $"/metrics is {metrics.Length} bytes");
    }

    [Fact]
    public async Task Metrics_UnknownMethodOnAKnownRoute_IsOther()
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };
        using (var request = new HttpRequestMessage(new HttpMethod("BREW"), "/ping"))
        {
            Assert.NotEqual(HttpStatusCode.OK, (await anonymous.SendAsync(request)).StatusCode);
        }

        var metrics = await anonymous.GetStringAsync("/metrics");

        Assert.DoesNotContain("BREW", metrics);
        Assert.Contains("method=\"OTHER\"", metrics);
    }

    [Fact]
    public async Task Metrics_CarryAspNetCoreAndRuntimeInstruments()
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };
        (await anonymous.GetAsync("/ping")).EnsureSuccessStatusCode();

        var metrics = await anonymous.GetStringAsync("/metrics");

        // ASP.NET Core's own request histogram, by route template, named as OpenTelemetry's exporter names it.
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", metrics);
        Assert.Matches("http_server_request_duration_seconds_count\\{[^}]*http_route=\"/ping\"[^}]*\\} 1\n", metrics);
        // The runtime's: collections per generation and the working set.
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", metrics);
        Assert.Matches("dotnet_process_memory_working_set_bytes [1-9][0-9]*\n", metrics);
        // Kestrel's connections.
        Assert.Contains("kestrel_active_connections", metrics);
        // The Outpost's own families keep their names.
        Assert.Contains("# TYPE outpost_http_request_duration_seconds histogram", metrics);
        Assert.Contains("outpost_events_total{result=\"delivered\"} 0\n", metrics);
    }
}
