using System.Net;
using System.Text.Json;

namespace Outpost.IntegrationTests.Servers;

/// <summary>
/// <c>GET /services?poll=true</c>: one hub's servers, each with what its own poll answers, through real HTTP with real
/// server processes; without the flag the list is the original's, byte for byte.
/// </summary>
public sealed class BulkPollTests : IAsyncLifetime
{
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Fact]
    public async Task ListWithPoll_EachEntryIsItsOwnPollsAnswer_AndAnotherHubsServersNeverAppear()
    {
        using var hub1 = _outpost.Client(OutpostHost.Hub1);
        using var hub2 = _outpost.Client(OutpostHost.Hub2);
        var pidFile = Path.Combine(_outpost.DataDir, "ends.pid");
        Assert.Equal(HttpStatusCode.OK, (await hub1.StartAsync(StartBodies.For("alice", "lab", "a1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub1.StartAsync(StartBodies.For("alice", "ends", "a2", env: new() { ["JUPYTER_TEST_PIDFILE"] = pidFile }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub2.StartAsync(StartBodies.For("alice", "lab", "a1"))).StatusCode);

        var running = await BulkAsync(hub1);
        Assert.Equal(["lab/a1", "ends/a2"], running.Select(Key));
        Assert.All(running, e => Assert.Equal(JsonValueKind.Null, e.GetProperty("poll").GetProperty("status").ValueKind));
        Assert.All(running, e => Assert.False(e.GetProperty("poll").TryGetProperty("error", out _)));

        var pid = await Processes.ReadPidAsync(pidFile);
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        await Processes.WaitForExitAsync(pid);
        var ended = await WaitForAsync(hub1, list => list.Any(e => Key(e) == "ends/a2" && e.GetProperty("poll").GetProperty("status").ValueKind == JsonValueKind.Number));
        var single = await (await hub1.GetAsync("/services/ends/a2")).JsonAsync();
        Assert.Equal(single.GetProperty("status").GetInt32(), ended.Single(e => Key(e) == "ends/a2").GetProperty("poll").GetProperty("status").GetInt32());

        var other = Assert.Single(await BulkAsync(hub2));
        Assert.Equal("hub2", other.GetProperty("jupyterhub").GetString());
        Assert.Equal(JsonValueKind.Null, other.GetProperty("poll").GetProperty("status").ValueKind);

        foreach (var (client, path) in new[] { (hub1, "/services/lab/a1"), (hub1, "/services/ends/a2"), (hub2, "/services/lab/a1") })
        {
            await client.StopAsync(path);
        }
        // A stopped server is gone from the list, as its own poll answers 404.
        Assert.Empty(await BulkAsync(hub1));
        Assert.Equal(HttpStatusCode.NotFound, (await hub1.GetAsync("/services/lab/a1")).StatusCode);
    }

    [Fact]
    public async Task ListWithoutPoll_IsTheOriginalsBytes_PollFalseTheSame()
    {
        using var client = _outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("bob", "", "b1"))).StatusCode);

        var plain = await client.GetStringAsync("/services");
        Assert.Equal(plain, await client.GetStringAsync("/services?poll=false"));
        var entry = Assert.Single(JsonDocument.Parse(plain).RootElement.EnumerateArray());
        Assert.Equal(
            ["name", "start_id", "start_date", "end_date", "jupyterhub", "jupyterhub_userid", "last_update", "state_stored",
             "start_pending", "stop_pending", "phase", "backend", "flavor", "service"],
            entry.EnumerateObject().Select(p => p.Name));
        await client.StopAsync("/services//b1");
    }

    [Theory]
    [InlineData("/services?poll=yes")]
    [InlineData("/services?poll=true&poll=false")]
    public async Task ListWithAnInvalidPollFlag_Answers422NamingIt(string path)
    {
        using var client = _outpost.Client();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = Assert.Single((await response.JsonAsync()).GetProperty("detail").EnumerateArray());
        Assert.Equal(["query", "poll"], error.GetProperty("loc").EnumerateArray().Select(l => l.GetString()));
    }

    private static string Key(JsonElement entry) => $"{entry.GetProperty("name").GetString()}/{entry.GetProperty("start_id").GetString()}";

    private static async Task<JsonElement[]> BulkAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/services?poll=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.JsonAsync()).EnumerateArray()];
    }

    /// <summary>Reads the bulk answer until <paramref name="done"/> holds (20 s at most).</summary>
    private static async Task<JsonElement[]> WaitForAsync(HttpClient client, Func<JsonElement[], bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await BulkAsync(client);
            if (done(list))
            {
                return list;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"last answer: {string.Join(", ", list.Select(e => e.ToString()))}");
            }
            await Task.Delay(100);
        }
    }
}
