using System.Net;
using System.Text;

namespace Outpost.IntegrationTests.Servers;

/// <summary>
/// The answers whose writing moved into typed results, byte for byte with their content type: the bodies the original
/// Outpost's clients parse (404, both 202s, the 419, the 413).
/// </summary>
public sealed class WireBytesTests : IAsyncLifetime
{
    private const string Json = "application/json; charset=utf-8";
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync(new() { ["Outpost:MaxRequestBytes"] = "4096" });

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task UnknownServer_PollAndStop_AreTheOriginals404()
    {
        using var client = _outpost.Client();

        await AssertAnswerAsync(await client.GetAsync("/services/nope/1"), HttpStatusCode.NotFound, """{"detail":"Item not found"}""");
        await AssertAnswerAsync(await client.StopAsync("/services/nope"), HttpStatusCode.NotFound, """{"detail":"Item not found"}""");
    }

    [Fact]
    public async Task AsyncStartAndStop_AreThe202Bodies()
    {
        using var client = _outpost.Client();

        await AssertAnswerAsync(await client.StartAsync(StartBodies.For("dora", "", "w1"), async: true), HttpStatusCode.Accepted, """{"service":""}""");
        await AssertAnswerAsync(await client.StopAsync("/services//w1", async: true), HttpStatusCode.Accepted, "{}");
    }

    [Fact]
    public async Task RefusedStart_IsThe419ErrorBody()
    {
        using var client = _outpost.Client();

        var response = await client.StartAsync(StartBodies.For("erin", "lab", "w2", env: new() { ["LD_PRELOAD"] = "x" }));

        const string message = "erin:lab: env 'LD_PRELOAD' may not be set by a hub.";
        await AssertAnswerAsync(response, (HttpStatusCode)419,
            $$$"""{"module":"outpost","class":"OutpostRefusal","traceback":"OutpostRefusal: {{{message}}}","args":["{{{message}}}"],"kwargs":{}}""");
    }

    [Fact]
    public async Task BodyOverTheLimit_IsThe413Body()
    {
        using var client = _outpost.Client();
        using var content = new StringContent($$"""{"name": "{{new string('x', 8000)}}"}""", Encoding.UTF8, "application/json");

        await AssertAnswerAsync(await client.PostAsync("/services", content), HttpStatusCode.RequestEntityTooLarge, """{"detail":"The request body is too large."}""");
    }

    private static async Task AssertAnswerAsync(HttpResponseMessage response, HttpStatusCode status, string body)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(Json, response.Content.Headers.ContentType?.ToString());
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
    }
}
