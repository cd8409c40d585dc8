using System.Net;
using System.Net.Http.Json;

namespace Outpost.IntegrationTests.Fakes;

public sealed class FakeHubTests
{
    [Fact]
    public async Task AnEventWithAnIdItAlreadyHas_IsAcknowledgedAndKeptApartAsARepeat()
    {
        await using var hub = await FakeHub.StartAsync();
        using var client = new HttpClient();

        foreach (var body in new object[]
        {
            new { progress = 30, message = "one", id = "a" },
            new { progress = 30, message = "one", id = "a" },
            new { progress = 50, message = "two", id = "b" },
        })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync(hub.EventsUrl("alice", "s"), body)).StatusCode);
        }

        Assert.Equal(["a", "b"], hub.Events.Select(e => e.Id));
        Assert.Equal(["a"], hub.Repeats.Select(e => e.Id));
    }

    [Fact]
    public async Task EventsWithoutAnId_AreAllRecorded()
    {
        await using var hub = await FakeHub.StartAsync();
        using var client = new HttpClient();

        for (var i = 0; i < 2; i++)
        {
            await client.PostAsJsonAsync(hub.EventsUrl("alice"), new { progress = 30, message = "one" });
        }

        Assert.Equal(2, hub.Events.Count);
        Assert.Empty(hub.Repeats);
    }
}
