using System.Net;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>A spawner's progress() reaches the hub between the Outpost's own first and last events.</summary>
public sealed class SpawnerProgressTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ProgressSpawner_ItsEventsReachTheHubInOrder_BetweenRequestedAndStarted(bool asyncStart)
    {
        await using var hub = await FakeHub.StartAsync();
        var folder = SpawnerOutpost.NewFolder();
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "ProgressSpawner")));
        using var client = outpost.Client();

        var started = await client.StartAsync(SpawnerOutpost.Body("pia", "prog", "p1", hub), asyncStart);
        Assert.Equal(asyncStart ? HttpStatusCode.Accepted : HttpStatusCode.OK, started.StatusCode);

        var events = await hub.WaitForEventsAsync(e => e.Any(x => x.Message == "Server started on the Outpost."));
        Assert.Equal(["Server requested", "queued", "scheduled", "booting", "Server started on the Outpost."], events.Select(e => e.Message));
        Assert.Equal([0, 30, 60, 90, 90], events.Select(e => e.Progress));
        Assert.Equal(["<b>queued</b>", "<b>scheduled</b>", "<b>booting</b>"], events.Skip(1).Take(3).Select(e => e.Body.GetProperty("html_message").GetString()));
        Assert.All(events, e => Assert.Equal("/hub/api/users/progress/events/pia/prog", e.Path));
        Assert.All(events, e => Assert.False(e.Failed));

        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/prog/p1")).StatusCode);
        Assert.Equal("now=False\n", await SpawnerOutpost.WaitForMarkAsync(folder, "prog.stopped"));
    }
}
