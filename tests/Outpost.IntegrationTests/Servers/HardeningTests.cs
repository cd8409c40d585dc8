using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Outpost.IntegrationTests.Fakes;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Servers;

/// <summary>
/// Defects found by probing the running Outpost (issue 14), each with the request that showed it: the answer is a
/// clear 4xx and nothing is left behind, or the Outpost now behaves as the original Outpost does.
/// </summary>
public sealed class HardeningTests : IAsyncLifetime
{
    private OutpostHost _outpost = null!;
    private FakeHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        _outpost = await OutpostHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _outpost.DisposeAsync();
        await _hub.DisposeAsync();
    }

    public static TheoryData<string, string> InvalidText => new()
    {
        // A JSON escape of a lone surrogate is valid JSON but not text; 0xFF is not UTF-8 at all.
        { """{"name": "\ud800"}""", "name" },
        { """{"name": "x", "env": {"JUPYTERHUB_X": "a\udfff"}}""", "JUPYTERHUB_X" },
        { """{"name": "x", "env": {"\ud800": "v"}}""", "env" },
        { """{"name": "x", "user_options": {"\ud800": 1}}""", "user_options" },
        { """{"name": "x", "user_options": {"start_id": "\ud800"}}""", "start_id" },
        { """{"name": "x", "misc": {"image": ["ok", "\ud800"]}}""", "image" },
        { """{"name": "x", "flavor": "\ud800"}""", "flavor" },
        { """{"name": "x", "certs": {"keyfile": "\ud800"}}""", "keyfile" },
        { """{"name": "x", "internal_trust_bundles": {"\ud800": "x"}}""", "internal_trust_bundles" },
        { "{\"name\": \"x\", \"env\": {\"JUPYTERHUB_X\": \"\xFF\"}}", "JUPYTERHUB_X" },
        { "{\"name\": \"\xC3\"}", "name" },
    };

    [Theory]
    [MemberData(nameof(InvalidText))]
    public async Task Start_InvalidText_Answers422NamingTheField(string body, string field)
    {
        using var client = _outpost.Client();
        var response = await client.PostAsync("/services", RawBody(body));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.JsonAsync()).GetProperty("detail")[0];
        Assert.Contains(field, string.Join("/", detail.GetProperty("loc").EnumerateArray().Select(l => l.GetString())));
        await AssertNothingLeftAsync(client);
    }

    [Theory]
    [InlineData("""{"name": "\ud800"}""")]
    [InlineData("{\"groups\": [\"\xFF\"]}")]
    public async Task UserFlavors_InvalidText_Answers422(string body)
    {
        using var client = _outpost.Client();
        var response = await client.PostAsync("/userflavors", RawBody(body));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("string_unicode", (await response.JsonAsync()).GetProperty("detail")[0].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(".", "s1")]
    [InlineData("..", "s1")]
    [InlineData("lab", ".")]
    [InlineData("lab", "..")]
    public async Task Start_DotSegmentNameOrStartId_Answers422(string name, string startId)
    {
        using var client = _outpost.Client();
        var response = await client.StartAsync(StartBodies.For("dora", name, startId));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        await AssertNothingLeftAsync(client);
    }

    [Theory]
    [InlineData("a.b", "1.2")]
    [InlineData("...", "x")]
    [InlineData("ü%2F;?#", "-")]
    [InlineData("", "s.1")]
    [InlineData("🙂", "1")] // outside the BMP: two UTF-16 surrogates, which a \p{C} class took for control characters
    [InlineData("lab-𝔘𝔫𝔦", "2")]
    public async Task AcceptedNames_RoundTripThroughEveryRoute(string name, string startId)
    {
        using var client = _outpost.Client();
        var response = await client.StartAsync(StartBodies.For("ruth", name, startId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var path = $"/services/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(startId)}";
        var listed = (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray().Single();
        Assert.Equal(name, listed.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync(path)).StatusCode);
        await AssertNothingLeftAsync(client);
    }

    [Theory]
    [InlineData("\"8888\"")]
    [InlineData("99999")]
    [InlineData("1e30")]
    [InlineData("-1")]
    [InlineData("8.5")]
    public async Task Start_PortTheBackendRefuses_Answers419_AndLeavesNothing(string port)
    {
        using var client = _outpost.Client();
        var failedBefore = await FailedStartsAsync(client);
        var body = $$$"""{"name": "p", "env": {"JUPYTERHUB_USER": "pia"}, "misc": {"port": {{{port}}}}}""";
        var response = await client.PostAsync("/services", RawBody(body));
        Assert.Equal(419, (int)response.StatusCode);
        Assert.Contains("misc 'port' must be a whole number", (await response.JsonAsync()).GetProperty("args")[0].GetString());
        await AssertNothingLeftAsync(client);
        Assert.Equal(failedBefore, await FailedStartsAsync(client));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task PostRoutes_ReadJsonWhateverTheContentType(string? contentType)
    {
        // The original hub-side spawner posts /userflavors with Tornado's default form content type.
        using var client = _outpost.Client();
        var flavors = await client.PostAsync("/userflavors", Body("""{"name": "uma"}""", contentType));
        Assert.Equal(HttpStatusCode.OK, flavors.StatusCode);
        var start = await client.PostAsync("/services", Body("""{"name": "ct", "env": {"JUPYTERHUB_USER": "uma"}}""", contentType));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        await client.StopAsync("/services/ct/0");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync("/userflavors", Body("name=uma", contentType))).StatusCode);
    }

    [Fact]
    public async Task UserFlavors_HugeBody_Answers413WithABody()
    {
        await using var outpost = await OutpostHost.StartAsync(new() { ["Outpost:MaxRequestBytes"] = "65536" });
        using var client = outpost.Client();
        var response = await client.PostAsync("/userflavors", Body($$"""{"name": "{{new string('a', 100_000)}}"}""", "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("The request body is too large.", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AuthState_IsKeptOnlyForServersThatExist_AndLeavesWithThem()
    {
        var cache = _outpost.Services.GetRequiredService<AuthStateCache>();
        using var client = _outpost.Client();
        client.DefaultRequestHeaders.Add("auth-state-access-token", new string('t', 2048));
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/services/nobody-{i}/0")).StatusCode);
        }
        Assert.Equal(0, cache.Count);

        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("amy", "a", "1"))).StatusCode);
        var key = new ServerKey(OutpostHost.Hub1, "a", "1");
        Assert.Equal(new string('t', 2048), cache.Get(key)["access-token"]);
        await client.StopAsync("/services/a/1");
        Assert.Equal(0, cache.Count);

        // A start that fails leaves no entry either.
        var failing = StartBodies.For("amy", "f", "1", env: new() { ["JUPYTER_TEST_EXIT_CODE"] = "3" });
        Assert.Equal(419, (int)(await client.StartAsync(failing)).StatusCode);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task SyncStart_FailureIsRemoved_AsTheOriginalDoes_AndItsOutputHidesTheToken()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("tom", "crash", "1", env: new() { ["JUPYTER_TEST_EXIT_CODE"] = "3", ["JUPYTER_TEST_PRINT_TOKEN"] = "1" });
        var response = await client.StartAsync(body);
        Assert.Equal(419, (int)response.StatusCode);
        var message = (await response.JsonAsync()).GetProperty("args")[0].GetString()!;
        Assert.Contains("exited with code 3", message);
        Assert.Contains("my token is [redacted]", message);
        Assert.DoesNotContain("token-of-tom", message);
        await AssertNothingLeftAsync(client);
    }

    [Fact]
    public async Task AsyncStart_Failure_StaysForThePoll_WithTheTokenHidden()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("tim", "crash", "2", _hub, env: new() { ["JUPYTER_TEST_EXIT_CODE"] = "3", ["JUPYTER_TEST_PRINT_TOKEN"] = "1" });
        Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(body, async: true)).StatusCode);
        var poll = await client.PollUntilAsync("/services/crash/2?collect_logs=true", (_, json) => json.ValueKind == System.Text.Json.JsonValueKind.Object && json.GetProperty("status").ValueKind != System.Text.Json.JsonValueKind.Null);
        var logs = string.Join("\n", poll.GetProperty("logs").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("my token is [redacted]", logs);
        Assert.DoesNotContain("token-of-tim", logs);
        var failed = await _hub.WaitForEventsAsync(events => events.Any(e => e.Failed));
        Assert.DoesNotContain(failed, e => e.Body.GetRawText().Contains("token-of-tim", StringComparison.Ordinal));
        await client.StopAsync("/services/crash/2");
    }

    [Fact]
    public async Task AsyncStart_FailureTheHubNeverDeletes_IsRemovedAfterTheRetentionTime()
    {
        var clock = new ShiftedClock();
        var calls = new CallCounter();
        await using var outpost = await OutpostHost.StartAsync(
            new() { ["Outpost:RuntimeSweepSeconds"] = "1", ["Outpost:FailedRetentionMinutes"] = "30" },
            configure: builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
                OutpostHost.CountStoreCalls(calls)(builder);
            });
        using var client = outpost.Client();
        var body = StartBodies.For("fay", "gone", "1", env: new() { ["JUPYTER_TEST_EXIT_CODE"] = "3" });
        Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(body, async: true)).StatusCode);
        await client.PollUntilAsync("/services/gone/1", (_, json) => json.GetProperty("status").ValueKind != System.Text.Json.JsonValueKind.Null);
        // Two more sweeps (each lists expired servers, then failed ones): the second began after the failure and kept it.
        await calls.WaitForCallsAsync(nameof(Outpost.Storage.IServerStore.ListExpiredAsync), calls.Count(nameof(Outpost.Storage.IServerStore.ListExpiredAsync)), 2);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services/gone/1")).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(31));
        await client.PollUntilAsync("/services/gone/1", (response, _) => response.StatusCode == HttpStatusCode.NotFound);
        // The record goes first, then the server's folder (in the same step, just after): wait for the folder.
        var servers = Path.Combine(outpost.DataDir, "servers");
        bool Left() => Directory.Exists(servers) && Directory.GetFileSystemEntries(servers).Length > 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); Left() && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }
        Assert.False(Left());
    }

    [Fact]
    public async Task ServerThatExits_ItsBackendsMessage_IsStoredWithTheTokenHidden()
    {
        await using var outpost = await OutpostHost.StartAsync(
            new() { ["Outpost:Backends:Default"] = QuotingBackend.BackendName },
            configure: builder => builder.Services.AddSingleton<Outpost.Backends.IBackend>(new QuotingBackend()));
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("quinn", "q", "1"))).StatusCode);
        Assert.Equal(1, (await (await client.GetAsync("/services/q/1")).JsonAsync()).GetProperty("status").GetInt32());
        var store = outpost.Services.GetRequiredService<Outpost.Storage.IServerStore>();
        var record = await store.FindAsync(new ServerKey(OutpostHost.Hub1, "q", "1"));
        Assert.Equal("The server printed my token is [redacted] and died.", record!.Error);
    }

    /// <summary>A backend whose servers exit at once, with a message quoting the server's output.</summary>
    private sealed class QuotingBackend : Outpost.Backends.IBackend
    {
        public const string BackendName = "Quoting";

        private string _printed = "";

        public string Name => BackendName;

        public async Task<Outpost.Backends.BackendStartResult> StartAsync(
            Outpost.Backends.BackendStartRequest request, Outpost.Backends.IStartContext context, CancellationToken cancellationToken)
        {
            _printed = request.Spec.Env["JUPYTERHUB_API_TOKEN"];
            var handle = new Outpost.Backends.BackendHandle(request.ResourceName);
            await context.SaveHandleAsync(handle, cancellationToken);
            return new Outpost.Backends.BackendStartResult(handle, "127.0.0.1:9");
        }

        public Task<Outpost.Backends.BackendStatus> GetStatusAsync(Outpost.Backends.BackendHandle handle, CancellationToken cancellationToken) =>
            Task.FromResult(Outpost.Backends.BackendStatus.Exited(1, $"The server printed my token is {_printed} and died."));

        public Task StopAsync(Outpost.Backends.BackendHandle handle, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<string>> GetLogsAsync(Outpost.Backends.BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);
    }

    [Fact]
    public async Task SyncStart_AnswersAfterItsProgressEventsReachedTheHub()
    {
        _hub.EventDelay = TimeSpan.FromMilliseconds(100);
        using var client = _outpost.Client();
        var response = await client.StartAsync(StartBodies.For("eve", "ev", "1", _hub));
        _hub.EventDelay = TimeSpan.Zero;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Taken the moment the answer came: the last event ("started", 90) is already at the hub.
        var seen = _hub.Events.Where(e => e.Path.Contains("/eve/", StringComparison.Ordinal)).Select(e => e.Progress).ToList();
        Assert.Contains(90, seen);
        await client.StopAsync("/services/ev/1");
    }

    [Fact]
    public async Task ServerKilledBySignal_PollsMinusTheSignal_AsPythonSays()
    {
        using var client = _outpost.Client();
        var pidFile = Path.Combine(_outpost.DataDir, "killed.pid");
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("kim", "k", "1", env: new() { ["JUPYTER_TEST_PIDFILE"] = pidFile }))).StatusCode);
        var pid = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        var poll = await client.PollUntilAsync("/services/k/1", (_, json) => json.GetProperty("status").ValueKind != System.Text.Json.JsonValueKind.Null);
        Assert.Equal(-9, poll.GetProperty("status").GetInt32());
        await client.StopAsync("/services/k/1");
    }

    /// <summary>Each member is one error or refusal reason: the answer to a 2–4 MB body of them was 26–60 MB.</summary>
    [Theory]
    [InlineData("env", "\"{0}x\": 1")]
    [InlineData("misc", "\"k{0}\": 1")]
    [InlineData("certs", "\"k{0}\": \"x\"")]
    public async Task Start_ManyBadMembers_IsRefusedWithABoundedAnswer(string field, string member)
    {
        using var client = _outpost.Client();
        var members = string.Join(",", Enumerable.Range(0, 100_000).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, member, i)));
        var env = field == "env" ? members : "\"JUPYTERHUB_USER\": \"max\"";
        var body = field == "env" ? $"{{\"name\": \"m\", \"env\": {{{env}}}}}" : $"{{\"name\": \"m\", \"env\": {{{env}}}, \"{field}\": {{{members}}}}}";
        var response = await client.PostAsync("/services", RawBody(body));
        Assert.True((int)response.StatusCode is 419 or 422, $"got {(int)response.StatusCode}");
        var answer = await response.Content.ReadAsByteArrayAsync();
        Assert.True(answer.Length < 64 * 1024, $"a refusal of a {body.Length}-byte body was answered with {answer.Length} bytes");
        await AssertNothingLeftAsync(client);
    }

    /// <summary>The local backend's count of failed starts in <c>/metrics</c>.</summary>
    private static async Task<string> FailedStartsAsync(HttpClient client) =>
        (await client.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith("outpost_starts_total", StringComparison.Ordinal) && l.Contains("failed", StringComparison.Ordinal)) ?? "none";

    private async Task AssertNothingLeftAsync(HttpClient client)
    {
        Assert.Equal(0, (await (await client.GetAsync("/services")).JsonAsync()).GetArrayLength());
        var folders = Path.Combine(_outpost.DataDir, "servers");
        Assert.True(!Directory.Exists(folders) || Directory.GetFileSystemEntries(folders).Length == 0, "no server folder is left");
    }

    private static ByteArrayContent RawBody(string body)
    {
        // Latin-1 keeps "\xFF" as the single byte 0xFF, so bodies can carry bytes that are not UTF-8.
        var content = new ByteArrayContent(body.Any(c => c > 0x7F) ? Encoding.Latin1.GetBytes(body) : Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static ByteArrayContent Body(string body, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = new(contentType);
        }
        return content;
    }
}
