using Outpost.Storage;

namespace Outpost.Tests.Storage;

/// <summary><see cref="IOperationsStore"/> behaviour every provider must have (subclasses pick the provider).</summary>
public abstract class OperationsStoreTests<TFixture> : StoreTests<TFixture>
    where TFixture : StoreFixture, new()
{
    [Fact]
    public async Task EventBacklogAsync_EventsOfTwoHubs_AreCountedPerHubWithTheOldest()
    {
        var oldest = Db.Time.GetUtcNow();
        await Db.Outbox.AppendAsync(Event("hub-b", "s1"));
        Db.Time.Advance(TimeSpan.FromSeconds(5));
        await Db.Outbox.AppendAsync(Event("hub-a", "s2"));
        var delivered = await Db.Outbox.AppendAsync(Event("hub-b", "s1"));
        await Db.Outbox.AppendAsync(Event("hub-b", "s3"));
        await Db.Outbox.DeleteAsync(delivered);

        var backlog = await Db.Operations.EventBacklogAsync();

        Assert.Equal(
            [new HubBacklog("hub-a", 1, oldest.AddSeconds(5)), new HubBacklog("hub-b", 2, oldest)],
            backlog);
    }

    [Fact]
    public async Task EventBacklogAsync_NothingStored_IsEmpty() =>
        Assert.Empty(await Db.Operations.EventBacklogAsync());

    [Fact]
    public async Task ListLeasesAsync_LiveAndExpired_AreAllListedByName()
    {
        var start = Db.Time.GetUtcNow();
        await Db.Leases.TryAcquireAsync("replica/b", "b", TimeSpan.FromSeconds(5));
        await Db.Leases.TryAcquireAsync("leader", "a", TimeSpan.FromSeconds(30));
        await Db.Leases.TryAcquireAsync("replica/a", "a", TimeSpan.FromSeconds(30));
        Db.Time.Advance(TimeSpan.FromSeconds(10));

        var leases = await Db.Operations.ListLeasesAsync();

        Assert.Equal(
            [
                new LeaseRecord("leader", "a", start.AddSeconds(30)),
                new LeaseRecord("replica/a", "a", start.AddSeconds(30)),
                new LeaseRecord("replica/b", "b", start.AddSeconds(5)),
            ],
            leases);
    }

    private static OutboxEvent Event(string hub, string server) => new()
    {
        Hub = hub,
        Server = server,
        Url = "https://hub.example/events",
        Token = "token",
        Body = "{}",
    };
}
