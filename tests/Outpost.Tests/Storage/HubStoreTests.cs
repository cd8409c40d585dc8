using Outpost.Storage;

namespace Outpost.Tests.Storage;

/// <summary><see cref="IHubStore"/> behaviour every provider must have (subclasses pick the provider).</summary>
public abstract class HubStoreTests<TFixture> : StoreTests<TFixture>
    where TFixture : StoreFixture, new()
{
    [Fact]
    public async Task SetPasswordHashAsync_NewHub_IsFoundAndListed()
    {
        await Db.Hubs.SetPasswordHashAsync("hub-b", "hash-b");
        await Db.Hubs.SetPasswordHashAsync("hub-a", "hash-a");

        Assert.Equal("hash-a", await Db.Hubs.FindPasswordHashAsync("hub-a"));
        Assert.Equal(["hub-a", "hub-b"], await Db.Hubs.ListAsync());
    }

    [Fact]
    public async Task SetPasswordHashAsync_ExistingHub_ReplacesTheHash()
    {
        await Db.Hubs.SetPasswordHashAsync("hub-a", "old");
        await Db.Hubs.SetPasswordHashAsync("hub-a", "new");

        Assert.Equal("new", await Db.Hubs.FindPasswordHashAsync("hub-a"));
        Assert.Single(await Db.Hubs.ListAsync());
    }

    [Fact]
    public async Task FindPasswordHashAsync_UnknownHub_ReturnsNull() =>
        Assert.Null(await Db.Hubs.FindPasswordHashAsync("nobody"));
}
