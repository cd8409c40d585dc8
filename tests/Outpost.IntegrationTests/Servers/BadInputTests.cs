using System.Net;
using System.Text;
using System.Text.Json;

namespace Outpost.IntegrationTests.Servers;

/// <summary>Every malformed or disallowed start gets a clear 4xx naming the problem and leaves nothing behind.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync(new() { ["Outpost:MaxRequestBytes"] = "65536" });

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "{not json", "json_invalid" },
        { "[]", "body" },
        { """{"env": {}}""", "name" },
        { """{"name": 42}""", "name" },
        { """{"name": "a/b"}""", "name" },
        { """{"name": "x", "env": "PATH=/tmp"}""", "env" },
        { """{"name": "x", "env": {"JUPYTERHUB_X": {"nested": 1}}}""", "JUPYTERHUB_X" },
        { """{"name": "x", "env": {"1BAD": "v"}}""", "1BAD" },
        { """{"name": "x", "user_options": {"start_id": "../../etc"}}""", "start_id" },
        { """{"name": "x", "user_options": []}""", "user_options" },
        { """{"name": "x", "misc": "cmd"}""", "misc" },
        { """{"name": "x", "certs": {"keyfile": 1}}""", "keyfile" },
        { """{"name": "x", "certs": {"keyfile": "k", "extra": "e"}}""", "extra" },
        { """{"name": "x", "flavor": 7}""", "flavor" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Start_InvalidBody_Answers422NamingTheField_AndStoresNothing(string body, string field)
    {
        using var client = _outpost.Client();
        var response = await client.PostAsync("/services", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.JsonAsync()).GetProperty("detail");
        Assert.Contains(detail.EnumerateArray(), d =>
            d.GetProperty("loc").EnumerateArray().Any(l => l.GetString()!.Contains(field)) || d.GetProperty("type").GetString() == field);
        await AssertNoServersAsync(client);
    }

    [Fact]
    public async Task Start_HugeBody_Answers413_AndStoresNothing()
    {
        using var client = _outpost.Client();
        var huge = JsonSerializer.Serialize(new { name = "x", env = new Dictionary<string, string> { ["JUPYTERHUB_BIG"] = new string('a', 200_000) } });
        var response = await client.PostAsync("/services", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNoServersAsync(client);
    }

    [Theory]
    [InlineData("env", "LD_PRELOAD", "may not be set by a hub")]
    [InlineData("env", "PATH", "may not be set by a hub")]
    [InlineData("env", "MY_SETTING", "not allowed for hub 'hub1'")]
    [InlineData("misc", "cmd", "misc 'cmd' is not allowed for hub 'hub1'")]
    public async Task Start_DisallowedKey_Answers419NamingIt_AndStoresNothing(string field, string key, string expected)
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("ivan");
        if (field == "env")
        {
            ((Dictionary<string, string>)body["env"]!)[key] = "/tmp/evil";
        }
        else
        {
            body["misc"] = new Dictionary<string, object> { [key] = new[] { "/bin/sh" } };
        }
        var response = await client.StartAsync(body);
        Assert.Equal(419, (int)response.StatusCode);
        Assert.Contains(expected, (await response.JsonAsync()).GetProperty("args")[0].GetString());
        await AssertNoServersAsync(client);
    }

    [Fact]
    public async Task Refusal_IsWrittenWithTheEscapingOfEveryOtherAnswer()
    {
        // Hubs and people read args[0]: quotes stay quotes, as ASP.NET Core writes any other body (not \u0027).
        using var client = _outpost.Client();
        var body = StartBodies.For("ivan");
        ((Dictionary<string, string>)body["env"]!)["PATH"] = "/tmp/evil";
        var raw = await (await client.StartAsync(body)).Content.ReadAsStringAsync();
        Assert.Contains("env 'PATH' may not be set by a hub", raw);
    }

    [Fact]
    public async Task Start_ClientControlledStateFields_AreIgnored()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("judy", "", "j1");
        body["stop_pending"] = true;
        body["end_date"] = "2000-01-01T00:00:00";
        body["state"] = new { pid = 1 };
        body["start_id"] = "other";
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(body)).StatusCode);
        var entry = (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray().Single();
        Assert.False(entry.GetProperty("stop_pending").GetBoolean());
        Assert.StartsWith("9999", entry.GetProperty("end_date").GetString());
        Assert.Equal("j1", entry.GetProperty("start_id").GetString());
        await client.StopAsync("/services//j1");
    }

    private static async Task AssertNoServersAsync(HttpClient client) =>
        Assert.Equal(0, (await (await client.GetAsync("/services")).JsonAsync()).GetArrayLength());
}
