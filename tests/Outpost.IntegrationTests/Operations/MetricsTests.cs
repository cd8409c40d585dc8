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
}
