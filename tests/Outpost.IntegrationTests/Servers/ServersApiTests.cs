using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Servers;

/// <summary>The wire routes through real HTTP on loopback, with real server processes.</summary>
public sealed class ServersApiTests : IAsyncLifetime
{
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task Ping_WithoutCredentials_AnswersPong()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_outpost.BaseUrl) };
        var response = await client.GetAsync("/ping");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("pong!", (await response.JsonAsync()).GetProperty("ping").GetString());
    }

    [Theory]
    [InlineData("/services")]
    [InlineData("/services/")]
    [InlineData("/flavors")]
    [InlineData("/flavors/")]
    public async Task Routes_BothSlashForms_Answer200(string path)
    {
        using var client = _outpost.Client();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null, "Not authenticated")]
    [InlineData("Bearer abc", "Not authenticated")]
    [InlineData("Basic !!notbase64", "Not authenticated")]
    [InlineData("hub1:wrong-password", "Incorrect username or password")]
    [InlineData("nohub:password-one", "Incorrect username or password")]
    public async Task Services_BadCredentials_Answer401WithDetail(string? credentials, string detail)
    {
        using var client = new HttpClient { BaseAddress = new Uri(_outpost.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/services");
        if (credentials is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization",
                credentials.Contains(' ') ? credentials : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SyncStart_PollListStop_FullCycle()
    {
        using var client = _outpost.Client();
        var pidFile = Path.Combine(_outpost.DataDir, "alice.pid");
        var start = await client.StartAsync(StartBodies.For("alice", "lab", "a1", env: new() { ["JUPYTER_TEST_PIDFILE"] = pidFile }));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var service = (await start.JsonAsync()).GetProperty("service").GetString()!;
        Assert.Matches(@"^127\.0\.0\.1:\d+$", service);
        using (var server = new HttpClient())
        {
            Assert.Equal("fake", (await server.GetFromJsonAsync<JsonElement>($"http://{service}/api")).GetProperty("version").GetString());
        }

        var poll = await client.GetAsync("/services/lab/a1");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        var pollJson = await poll.JsonAsync();
        Assert.Equal(JsonValueKind.Null, pollJson.GetProperty("status").ValueKind);
        Assert.Equal(0, pollJson.GetProperty("logs").GetArrayLength());

        var list = await (await client.GetAsync("/services")).JsonAsync();
        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal("lab", entry.GetProperty("name").GetString());
        Assert.Equal("a1", entry.GetProperty("start_id").GetString());
        Assert.Equal("17", entry.GetProperty("jupyterhub_userid").GetString());
        Assert.Equal("hub1", entry.GetProperty("jupyterhub").GetString());
        Assert.False(entry.GetProperty("start_pending").GetBoolean());
        Assert.False(entry.GetProperty("stop_pending").GetBoolean());

        var pid = await Processes.ReadPidAsync(pidFile);
        Assert.True(Processes.IsAlive(pid));
        var stop = await client.StopAsync("/services/lab/a1");
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.Equal(0, (await stop.JsonAsync()).GetProperty("logs").GetArrayLength());
        await Processes.WaitForExitAsync(pid);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/lab/a1")).StatusCode);
    }

    [Fact]
    public async Task AsyncStartAndStop_Answer202_AndFinishInBackground()
    {
        using var client = _outpost.Client();
        var start = await client.StartAsync(StartBodies.For("bob", "", "b1"), async: true);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal("", (await start.JsonAsync()).GetProperty("service").GetString());
        await client.PollUntilAsync("/services//b1", (_, json) =>
            JsonSerializer.Deserialize<JsonElement[]>(client.GetStringAsync("/services").Result)!.Any(s => s.GetProperty("phase").GetString() == "running"));

        var stop = await client.StopAsync("/services//b1", async: true);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode);
        Assert.Equal("{}", (await stop.Content.ReadAsStringAsync()).Trim());
        await client.PollUntilAsync("/services//b1", (response, _) => response.StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DefaultServer_WithoutStartId_UsesStartIdZero()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("carol");
        body["user_options"] = new Dictionary<string, object>();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services//0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services//0")).StatusCode);
    }

    [Fact]
    public async Task UnknownServer_PollAndStop_Answer404ItemNotFound()
    {
        using var client = _outpost.Client();
        foreach (var response in new[] { await client.GetAsync("/services/nope/1"), await client.StopAsync("/services/nope") })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("Item not found", (await response.JsonAsync()).GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task TwoHubs_SameUserAndServerNames_DoNotSeeEachOther()
    {
        using var hub1 = _outpost.Client(OutpostHost.Hub1);
        using var hub2 = _outpost.Client(OutpostHost.Hub2);
        var address1 = (await (await hub1.StartAsync(StartBodies.For("alice", "lab", "x"))).JsonAsync()).GetProperty("service").GetString();
        var address2 = (await (await hub2.StartAsync(StartBodies.For("alice", "lab", "x"))).JsonAsync()).GetProperty("service").GetString();
        Assert.NotEqual(address1, address2);

        Assert.Single((await (await hub1.GetAsync("/services")).JsonAsync()).EnumerateArray());
        Assert.Single((await (await hub2.GetAsync("/services")).JsonAsync()).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await hub1.StopAsync("/services/lab/x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hub1.GetAsync("/services/lab/x")).StatusCode);

        // hub2's server is untouched by hub1's stop.
        var poll = await (await hub2.GetAsync("/services/lab/x")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);
        using var server = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync($"http://{address2}/api")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub2.StopAsync("/services/lab/x")).StatusCode);
    }

    [Fact]
    public async Task DuplicateStart_WhileActive_Answers419AndKeepsTheFirst()
    {
        using var client = _outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("dave", "lab", "d1"))).StatusCode);
        var second = await client.StartAsync(StartBodies.For("dave", "lab", "d1"));
        Assert.Equal(419, (int)second.StatusCode);
        var error = await second.JsonAsync();
        foreach (var key in new[] { "module", "class", "traceback", "args", "kwargs" })
        {
            Assert.True(error.TryGetProperty(key, out _), key);
        }
        Assert.Contains("already running", error.GetProperty("args")[0].GetString());
        Assert.Single((await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/lab/d1")).StatusCode);
    }

    [Fact]
    public async Task Start_ServerThatExitsAtOnce_Answers419WithItsOutput_AndIsRemoved()
    {
        using var client = _outpost.Client();
        var response = await client.StartAsync(StartBodies.For("erin", "", "e1", env: new() { ["JUPYTER_TEST_EXIT_CODE"] = "3" }));
        Assert.Equal(419, (int)response.StatusCode);
        var message = (await response.JsonAsync()).GetProperty("args")[0].GetString()!;
        Assert.Contains("exited with code 3", message);
        Assert.Contains("fake server failing on purpose", message);
        // As the original Outpost: the hub has the error in its answer, so nothing stays to poll or delete.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services//e1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.StopAsync("/services//e1")).StatusCode);
    }

    [Fact]
    public async Task CollectLogs_OnPollAndStop_ReturnsServerOutput()
    {
        using var client = _outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("fred", "", "f1"))).StatusCode);
        var poll = await (await client.GetAsync("/services//f1?collect_logs=true")).JsonAsync();
        Assert.Contains(poll.GetProperty("logs").EnumerateArray(), l => l.GetString()!.Contains("fake server starting for fred"));
        var stop = await (await client.StopAsync("/services//f1?collect_logs=True")).JsonAsync();
        Assert.Contains(stop.GetProperty("logs").EnumerateArray(), l => l.GetString()!.Contains("fake server starting for fred"));
    }

    [Fact]
    public async Task Environment_HubValuesArrive_OutpostSecretsDoNot_AndServiceUrlIsRewritten()
    {
        using var client = _outpost.Client();
        var start = await client.StartAsync(StartBodies.For("gina", "nb", "g1", env: new() { ["JUPYTER_EXTRA"] = "yes" }));
        var service = (await start.JsonAsync()).GetProperty("service").GetString()!;
        using var server = new HttpClient();
        var env = await server.GetFromJsonAsync<Dictionary<string, string>>($"http://{service}/env");
        Assert.Equal("yes", env!["JUPYTER_EXTRA"]);
        Assert.Equal("token-of-gina", env["JUPYTERHUB_API_TOKEN"]);
        Assert.Equal($"http://{service}/user/gina/nb", env["JUPYTERHUB_SERVICE_URL"]);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("Outpost", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("JUPYTERHUB_SSL_", StringComparison.Ordinal));
        await client.StopAsync("/services/nb/g1");
    }

    [Fact]
    public async Task InternalSsl_CertsWrittenPrivately_AndLocalPathsWinOverTheHubs()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("hana", "", "h1", env: new() { ["JUPYTERHUB_SSL_KEYFILE"] = "/hub/side/path.key" });
        body["certs"] = new Dictionary<string, string> { ["keyfile"] = "KEY-PEM", ["certfile"] = "CERT-PEM", ["cafile"] = "CA-PEM" };
        // "server" and "notebooks-ca_trust" are the names of the server's own certificate files: bundles must not replace them.
        body["internal_trust_bundles"] = new Dictionary<string, string>
        {
            ["hub-ca"] = "HUB-CA-PEM", ["notebooks-ca"] = "NB-CA-PEM", ["server"] = "EVIL-1", ["notebooks-ca_trust"] = "EVIL-2",
        };
        var service = (await (await client.StartAsync(body)).JsonAsync()).GetProperty("service").GetString()!;
        using var server = new HttpClient();
        var env = (await server.GetFromJsonAsync<Dictionary<string, string>>($"http://{service}/env"))!;
        Assert.StartsWith("https://", env["JUPYTERHUB_SERVICE_URL"]);
        foreach (var (key, content) in new[] { ("JUPYTERHUB_SSL_KEYFILE", "KEY-PEM"), ("JUPYTERHUB_SSL_CERTFILE", "CERT-PEM"), ("JUPYTERHUB_SSL_CLIENT_CA", "CA-PEM") })
        {
            var path = env[key];
            Assert.StartsWith(_outpost.DataDir, path);
            Assert.Equal(content, await File.ReadAllTextAsync(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        var folder = Path.GetDirectoryName(env["JUPYTERHUB_SSL_KEYFILE"])!;
        Assert.Equal("HUB-CA-PEM", await File.ReadAllTextAsync(Path.Combine(folder, "trust-bundles", "hub-ca.crt")));
        Assert.Equal("EVIL-1", await File.ReadAllTextAsync(Path.Combine(folder, "trust-bundles", "server.crt")));
        await client.StopAsync("/services//h1");
        Assert.False(Directory.Exists(folder), "the server's private folder is removed with it");
    }

    [Fact]
    public async Task Metrics_And_OpenApi_AreServed()
    {
        using var client = _outpost.Client();
        await client.GetAsync("/services");
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("outpost_event_relay_backlog", metrics);
        Assert.Contains("outpost_http_request_duration_seconds_bucket", metrics);
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/services", out _));
    }
}
