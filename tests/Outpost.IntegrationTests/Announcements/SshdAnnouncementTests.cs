using System.Diagnostics;
using System.Net;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Announcements;

/// <summary>
/// A restarted Outpost tells each hub with running servers, once, that its forwards need re-creating;
/// a hub whose servers all stopped is not told.
/// </summary>
public sealed class SshdAnnouncementTests
{
    private const string Hub3 = "hub3";
    private const string Password3 = "password-three";

    [Fact]
    public async Task Restart_AnnouncesOncePerHubWithRunningServers_NoneToAHubWithout()
    {
        await using var hubA = await FakeHub.StartAsync();
        await using var hubB = await FakeHub.StartAsync();
        await using var hubC = await FakeHub.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("outpost-announce-").FullName;
        var extra = new Dictionary<string, string> { [$"Outpost:Hubs:{Hub3}:Password"] = Password3 };
        int port;

        await using (var first = await OutpostProcess.StartAsync(dataDir, extra: extra))
        {
            port = first.Port;
            using var one = first.Client(OutpostHost.Hub1);
            using var two = first.Client(OutpostHost.Hub2);
            using var three = OutpostHost.CreateClient(first.BaseUrl, Hub3, Password3);
            Assert.Equal(HttpStatusCode.OK, (await one.StartAsync(Body("ann", "a1", hubA, "sysA"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await one.StartAsync(Body("bob", "b1", hubA, "sysA"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await two.StartAsync(Body("cid", "c1", hubB, "sysB"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await three.StartAsync(Body("dan", "d1", hubC, "sysC"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await three.StopAsync("/services//d1")).StatusCode);
            // The first start-up found no running servers: nobody was told.
            Assert.Empty(hubA.Announcements);
            await first.KillAsync();
        }

        var restarted = Stopwatch.StartNew();
        await using var second = await OutpostProcess.StartAsync(dataDir, port, extra: extra);
        await WaitAsync(() => !hubA.Announcements.IsEmpty && !hubB.Announcements.IsEmpty);
        var announced = restarted.Elapsed;

        var toA = Assert.Single(hubA.Announcements);
        var toB = Assert.Single(hubB.Announcements);
        Assert.Empty(hubC.Announcements);
        Assert.Equal("/hub/api/recreateforward/sysA", toA.Path);
        Assert.Equal("outpost_started", toA.Body.GetProperty("reason").GetString());
        Assert.StartsWith("token token-of-", toA.Authorization, StringComparison.Ordinal);
        Assert.Equal("/hub/api/recreateforward/sysB", toB.Path);
        Assert.Equal("token token-of-cid", toB.Authorization);
        Console.WriteLine($"announced to both hubs {announced.TotalSeconds:F1} s after the restart began");

        using var cleanup1 = second.Client(OutpostHost.Hub1);
        using var cleanup2 = second.Client(OutpostHost.Hub2);
        await cleanup1.StopAsync("/services//a1");
        await cleanup1.StopAsync("/services//b1");
        await cleanup2.StopAsync("/services//c1");
        // Still one each after the stops (seconds later): hub A's two servers did not make two announcements.
        Assert.Single(hubA.Announcements);
        Assert.Single(hubB.Announcements);
        Assert.Empty(hubC.Announcements);
    }

    private static Dictionary<string, object?> Body(string user, string name, FakeHub hub, string system) =>
        StartBodies.For(user, "", name, hub, new() { ["JUPYTERHUB_RECREATEFORWARD_URL"] = $"{hub.BaseUrl}/hub/api/recreateforward/{system}" });

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "no announcement within 60 s of the restart");
            await Task.Delay(50);
        }
    }
}
