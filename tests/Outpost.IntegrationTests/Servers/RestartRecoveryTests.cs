using System.Net;
using System.Text.Json;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Servers;

/// <summary>An Outpost killed with SIGKILL and started again adopts, cleans up and reports, losing nothing.</summary>
public sealed class RestartRecoveryTests
{
    [Fact]
    public async Task KillMinus9_RunningServersAdopted_VanishedMarkedStopped_InFlightStartFailedAndCleaned()
    {
        await using var hub = await FakeHub.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("outpost-restart-").FullName;
        var pidOf = (string user) => Path.Combine(dataDir, $"{user}.pid");
        string keptAddress;
        int keptPid, vanishedPid, inFlightPid;
        int port;

        await using (var first = await OutpostProcess.StartAsync(dataDir))
        {
            port = first.Port;
            using var client = first.Client();
            var kept = await client.StartAsync(StartBodies.For("kept", "", "k", hub, new() { ["JUPYTER_TEST_PIDFILE"] = pidOf("kept") }));
            keptAddress = (await kept.JsonAsync()).GetProperty("service").GetString()!;
            Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("gone", "", "g", env: new() { ["JUPYTER_TEST_PIDFILE"] = pidOf("gone") }))).StatusCode);
            var slow = StartBodies.For("slow", "", "s", hub, new() { ["JUPYTER_TEST_PIDFILE"] = pidOf("slow"), ["JUPYTER_TEST_DELAY"] = "60" });
            Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(slow, async: true)).StatusCode);
            keptPid = await Processes.ReadPidAsync(pidOf("kept"));
            vanishedPid = await Processes.ReadPidAsync(pidOf("gone"));
            inFlightPid = await Processes.ReadPidAsync(pidOf("slow"));
            await first.KillAsync();
        }

        // While the Outpost is down, one server dies on its own.
        Assert.True(Processes.IsAlive(keptPid), "a server outlives the Outpost");
        Assert.True(Processes.IsAlive(vanishedPid));
        _ = Processes.IsAlive(inFlightPid);
        System.Diagnostics.Process.GetProcessById(vanishedPid).Kill();
        await Processes.WaitForExitAsync(vanishedPid);

        await using var second = await OutpostProcess.StartAsync(dataDir, port);
        using var again = second.Client();

        var keptPoll = await (await again.GetAsync("/services//k")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, keptPoll.GetProperty("status").ValueKind);
        using (var server = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await server.GetAsync($"http://{keptAddress}/api")).StatusCode);
        }

        var gonePoll = await again.PollUntilAsync("/services//g", (_, json) => json.GetProperty("status").ValueKind != JsonValueKind.Null);
        Assert.Equal(0, gonePoll.GetProperty("status").GetInt32());

        var failedPoll = await again.PollUntilAsync("/services//s", (_, json) => json.GetProperty("status").ValueKind == JsonValueKind.Number);
        Assert.Contains(failedPoll.GetProperty("logs").EnumerateArray(), l => l.GetString()!.Contains("restarted while the server was starting"));
        await Processes.WaitForExitAsync(inFlightPid);
        await hub.WaitForEventsAsync(e => e.Any(x => x.Failed && x.Path.EndsWith("/slow", StringComparison.Ordinal)));

        // The adopted server stops for real, with no duplicate process.
        Assert.Equal(HttpStatusCode.OK, (await again.StopAsync("/services//k")).StatusCode);
        await Processes.WaitForExitAsync(keptPid);
        Assert.Equal(HttpStatusCode.NotFound, (await again.GetAsync("/services//k")).StatusCode);
        await again.StopAsync("/services//g");
        await again.StopAsync("/services//s");
    }

    [Fact]
    public async Task KillMinus9_UndeliveredEvents_AreDeliveredAfterRestart()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.FailNext(int.MaxValue);
        var dataDir = Directory.CreateTempSubdirectory("outpost-events-").FullName;
        int port;
        await using (var first = await OutpostProcess.StartAsync(dataDir))
        {
            port = first.Port;
            using var client = first.Client();
            Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("eve", "", "e", hub))).StatusCode);
            await first.KillAsync();
        }
        Assert.Empty(hub.Events);
        hub.FailNext(0);
        await using var second = await OutpostProcess.StartAsync(dataDir, port);
        var events = await hub.WaitForEventsAsync(e => e.Any(x => x.Progress == 90));
        Assert.Equal("Server requested", events[0].Message);
        Assert.Equal(events.Select(e => e.Progress).Order(), events.Select(e => e.Progress));
        using var again = second.Client();
        await again.StopAsync("/services//e");
    }
}
