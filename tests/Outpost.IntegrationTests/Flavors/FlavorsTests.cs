using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Flavors;

/// <summary>Flavors, quotas and runtime limits through the wire API.</summary>
public sealed class FlavorsTests
{
    private static Dictionary<string, string> FlavorSettings(int max = 5, string runtime = "hours", int runtimeAmount = 2) => new()
    {
        ["Outpost:Backends:Default"] = InstantBackend.BackendName,
        ["Outpost:Flavors:Flavors:typea:max"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Outpost:Flavors:Flavors:typea:maxPerUser"] = "0",
        ["Outpost:Flavors:Flavors:typea:display_name"] = "Type A",
        [$"Outpost:Flavors:Flavors:typea:runtime:{runtime}"] = runtimeAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Outpost:Flavors:Flavors:typeb:max"] = "-1",
        ["Outpost:Flavors:Flavors:typeb:maxPerUser"] = "1",
        ["Outpost:Flavors:Hubs:second:jupyterhub_name:0"] = OutpostHost.Hub2,
        ["Outpost:Flavors:Hubs:second:flavors:0"] = "typeb",
        ["Outpost:Flavors:Users:blocked:authentication:name"] = "blocked.*",
        ["Outpost:Flavors:Users:blocked:forbidden"] = "true",
        ["Outpost:RuntimeSweepSeconds"] = "1",
    };

    private static Dictionary<string, object?> Body(string user, string name, string flavor, FakeHub? hub = null)
    {
        var body = StartBodies.For(user, name, name, hub);
        ((Dictionary<string, object>)body["user_options"]!)["flavor"] = flavor;
        ((Dictionary<string, string>)body["env"]!)["JUPYTERHUB_USER_ID"] = (Math.Abs(user.GetHashCode()) % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return body;
    }

    [Fact]
    public async Task Flavors_HubAndUserSelection_WithCurrentUsage()
    {
        var backend = new InstantBackend();
        await using var outpost = await OutpostHost.StartAsync(FlavorSettings(), configure: OutpostHost.WithInstantBackend(backend));
        using var hub1 = outpost.Client(OutpostHost.Hub1);
        using var hub2 = outpost.Client(OutpostHost.Hub2);

        Assert.Equal(HttpStatusCode.OK, (await hub1.StartAsync(Body("alice", "a1", "typea"))).StatusCode);
        var flavors = await hub1.GetFromJsonAsync<JsonElement>("/flavors/");
        Assert.Equal(["typea", "typeb"], flavors.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, flavors.GetProperty("typea").GetProperty("current").GetInt32());
        Assert.Equal(5, flavors.GetProperty("typea").GetProperty("max").GetInt32());
        Assert.Equal("Type A", flavors.GetProperty("typea").GetProperty("display_name").GetString());
        Assert.Equal(2, flavors.GetProperty("typea").GetProperty("runtime").GetProperty("hours").GetInt32());
        Assert.Equal(0, flavors.GetProperty("typeb").GetProperty("current").GetInt32());

        var second = await hub2.GetFromJsonAsync<JsonElement>("/flavors");
        Assert.Equal(["typeb"], second.EnumerateObject().Select(p => p.Name));

        var allowed = await (await hub1.PostAsJsonAsync("/userflavors", new { name = "alice", groups = new[] { "g" } })).JsonAsync();
        Assert.Equal(2, allowed.EnumerateObject().Count());
        var forbidden = await (await hub1.PostAsJsonAsync("/userflavors/", new { name = "blocked-bob" })).JsonAsync();
        Assert.Empty(forbidden.EnumerateObject());

        var refused = await hub2.StartAsync(Body("carol", "c1", "typea"));
        Assert.Equal(419, (int)refused.StatusCode);
        Assert.Equal("c1 - Start with flavor typea not allowed. Allowed values for user: ['typeb']", (await refused.JsonAsync()).GetProperty("args")[0].GetString());
    }

    [Fact]
    public async Task ConcurrentStarts_AgainstMaxFive_AdmitExactlyFive_TwentyTimes()
    {
        var backend = new InstantBackend();
        await using var outpost = await OutpostHost.StartAsync(FlavorSettings(max: 5), configure: OutpostHost.WithInstantBackend(backend));
        using var client = outpost.Client();
        for (var round = 0; round < 20; round++)
        {
            var starts = Enumerable.Range(0, 50).Select(i => client.StartAsync(Body($"user{i}", $"r{round}s{i}", "typea"))).ToList();
            var responses = await Task.WhenAll(starts);
            var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(5, admitted);
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                Assert.Equal(419, (int)refused.StatusCode);
                Assert.Contains($"Start with typea for {OutpostHost.Hub1} not allowed. Maximum (5) already reached.", (await refused.JsonAsync()).GetProperty("args")[0].GetString());
            }
            Assert.Equal(5, backend.Running);
            foreach (var server in (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray())
            {
                var name = server.GetProperty("name").GetString();
                Assert.Equal(HttpStatusCode.OK, (await client.StopAsync($"/services/{name}/{server.GetProperty("start_id").GetString()}")).StatusCode);
            }
            Assert.Equal(0, backend.Running);
        }
    }

    [Fact]
    public async Task MaxPerUser_SecondServerOfTheSameUser_IsRefusedWithTheLimit()
    {
        await using var outpost = await OutpostHost.StartAsync(FlavorSettings(), configure: OutpostHost.WithInstantBackend(new InstantBackend()));
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(Body("dave", "d1", "typeb"))).StatusCode);
        var second = await client.StartAsync(Body("dave", "d2", "typeb"));
        Assert.Equal(419, (int)second.StatusCode);
        Assert.Equal("d2 - Start with flavor typeb not allowed. Each user may only start 1 of typeb", (await second.JsonAsync()).GetProperty("args")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(Body("erin", "e1", "typeb"))).StatusCode);
    }

    [Fact]
    public async Task RuntimeLimit_WithAnInjectedClock_StopsTheServerAndTellsTheHub()
    {
        await using var hub = await FakeHub.StartAsync();
        var clock = new ShiftedClock();
        var calls = new CallCounter();
        await using var outpost = await OutpostHost.StartAsync(FlavorSettings(), configure: builder =>
        {
            OutpostHost.WithInstantBackend(new InstantBackend(), clock)(builder);
            OutpostHost.CountStoreCalls(calls)(builder);
        });
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(Body("fred", "f1", "typea", hub))).StatusCode);
        var entry = (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray().Single();
        var endDate = DateTimeOffset.Parse(entry.GetProperty("end_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var expected = clock.GetUtcNow() + TimeSpan.FromHours(2);
        Assert.InRange(endDate, expected - TimeSpan.FromMinutes(1), expected);

        // Two more runtime sweeps: the second of them began after the start, and left the server alone.
        await calls.WaitForCallsAsync(nameof(Outpost.Storage.IServerStore.ListExpiredAsync), calls.Count(nameof(Outpost.Storage.IServerStore.ListExpiredAsync)), 2);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services/f1/f1")).StatusCode);
        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await client.PollUntilAsync("/services/f1/f1", (response, _) => response.StatusCode == HttpStatusCode.NotFound);
        await hub.WaitForEventsAsync(e => e.Any(x => x.Message.Contains("runtime limit", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RuntimeLimit_OutpostKilledInTheMiddle_StillStopsTheServerAfterRestart()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-runtime-").FullName;
        var pidFile = Path.Combine(dataDir, "runtime.pid");
        var settings = FlavorSettings(runtime: "seconds", runtimeAmount: 4);
        settings.Remove("Outpost:Backends:Default"); // real processes here
        int pid, port;
        DateTimeOffset endDate;
        await using (var first = await OutpostProcess.StartAsync(dataDir, extra: settings))
        {
            port = first.Port;
            using var client = first.Client();
            var body = Body("gina", "g1", "typea");
            ((Dictionary<string, string>)body["env"]!)["JUPYTER_TEST_PIDFILE"] = pidFile;
            Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(body)).StatusCode);
            pid = await Processes.ReadPidAsync(pidFile);
            var entry = (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray().Single();
            endDate = DateTimeOffset.Parse(entry.GetProperty("end_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            await first.KillAsync();
        }
        // The runtime runs out while the Outpost is down.
        while (DateTimeOffset.UtcNow <= endDate + TimeSpan.FromSeconds(1))
        {
            await Task.Delay(100);
        }
        Assert.True(Processes.IsAlive(pid), "nothing stops the server while the Outpost is down");
        await using var second = await OutpostProcess.StartAsync(dataDir, port, extra: settings);
        await Processes.WaitForExitAsync(pid, 20);
        using var again = second.Client();
        await again.PollUntilAsync("/services/g1/g1", (response, _) => response.StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UsageUpdates_AreSentToTheHubWithItsToken_AndTheTokenNeverReachesTheServer()
    {
        await using var hub = await FakeHub.StartAsync();
        var settings = FlavorSettings();
        settings.Remove("Outpost:Backends:Default");
        await using var outpost = await OutpostHost.StartAsync(settings);
        using var client = outpost.Client();
        var body = Body("hana", "h1", "typea");
        var env = (Dictionary<string, string>)body["env"]!;
        env["JUPYTERHUB_FLAVORS_UPDATE_URL"] = $"{hub.BaseUrl}/hub/api/outpostflavors/system1";
        env["JUPYTERHUB_FLAVORS_UPDATE_TOKEN"] = "flavor-secret";
        var service = (await (await client.StartAsync(body)).JsonAsync()).GetProperty("service").GetString();

        using (var server = new HttpClient())
        {
            var serverEnv = (await server.GetFromJsonAsync<Dictionary<string, string>>($"http://{service}/env"))!;
            Assert.DoesNotContain("JUPYTERHUB_FLAVORS_UPDATE_TOKEN", serverEnv.Keys);
        }
        await WaitForAsync(() => hub.FlavorUpdates.Any(u => u.Body.GetProperty("typea").GetProperty("current").GetInt32() == 1));
        Assert.All(hub.FlavorUpdates, u => Assert.Equal("token flavor-secret", u.Authorization));
        Assert.All(hub.FlavorUpdates, u => Assert.Equal("/hub/api/outpostflavors/system1", u.Path));

        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/h1/h1")).StatusCode);
        await WaitForAsync(() => hub.FlavorUpdates.Last().Body.GetProperty("typea").GetProperty("current").GetInt32() == 0);
    }

    [Fact]
    public async Task OrphanCleanup_StopsServersTheHubDoesNotKnow_AndNothingWhenTheHubFails()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.RunningServers = null; // the hub answers 500 at first
        var backend = new InstantBackend();
        await using var outpost = await OutpostHost.StartAsync(new()
        {
            ["Outpost:Backends:Default"] = InstantBackend.BackendName,
            [$"Outpost:Hubs:{OutpostHost.Hub1}:Cleanup:Url"] = $"{hub.BaseUrl}/hub/api/outpost/servers",
            [$"Outpost:Hubs:{OutpostHost.Hub1}:Cleanup:Token"] = "cleanup-token",
            [$"Outpost:Hubs:{OutpostHost.Hub1}:Cleanup:IntervalSeconds"] = "1",
            [$"Outpost:Hubs:{OutpostHost.Hub1}:Cleanup:GraceSeconds"] = "0",
        }, configure: OutpostHost.WithInstantBackend(backend));
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("ivan", "keep", "k"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("ivan", "orphan", "o"))).StatusCode);
        var asked = hub.ServerListRequests;
        // Two more asks: the pass after the first of them ran with both servers stored, and the hub's 500 stopped nothing.
        await WaitForAsync(() => hub.ServerListRequests >= asked + 2);
        Assert.Equal(2, backend.Running);

        hub.RunningServers = ["17_keep_k"];
        await client.PollUntilAsync("/services/orphan/o", (response, _) => response.StatusCode == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services/keep/k")).StatusCode);
        Assert.Equal(1, backend.Running);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition());
    }
}
