using Outpost.Storage;

namespace Outpost.Tests.Storage;

/// <summary><see cref="ILeaseStore"/> behaviour every provider must have (subclasses pick the provider).</summary>
public abstract class LeaseStoreTests<TFixture> : StoreTests<TFixture>
    where TFixture : StoreFixture, new()
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private ILeaseStore Leases => Db.Leases;

    [Fact]
    public async Task TryAcquireAsync_FreeLease_IsTakenAndHeld()
    {
        Assert.True(await Leases.TryAcquireAsync("leader", "a", Ttl));

        Assert.Equal("a", await Leases.FindHolderAsync("leader"));
        Assert.Null(await Leases.FindHolderAsync("other"));
    }

    [Fact]
    public async Task TryAcquireAsync_HeldByAnother_FailsUntilItExpires()
    {
        await Leases.TryAcquireAsync("leader", "a", Ttl);

        Db.Time.Advance(Ttl - TimeSpan.FromSeconds(1));
        Assert.False(await Leases.TryAcquireAsync("leader", "b", Ttl));
        Assert.Equal("a", await Leases.FindHolderAsync("leader"));

        Db.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Leases.FindHolderAsync("leader"));
        Assert.True(await Leases.TryAcquireAsync("leader", "b", Ttl));
        Assert.Equal("b", await Leases.FindHolderAsync("leader"));
    }

    [Fact]
    public async Task TryAcquireAsync_ByTheHolder_ExtendsTheLease()
    {
        await Leases.TryAcquireAsync("leader", "a", Ttl);
        Db.Time.Advance(TimeSpan.FromSeconds(8));

        Assert.True(await Leases.TryAcquireAsync("leader", "a", Ttl));
        Db.Time.Advance(TimeSpan.FromSeconds(8));

        Assert.Equal("a", await Leases.FindHolderAsync("leader"));
    }

    [Fact]
    public async Task RenewAsync_OnlyTheHolderBeforeExpiry()
    {
        await Leases.TryAcquireAsync("leader", "a", Ttl);

        Assert.False(await Leases.RenewAsync("leader", "b", Ttl));
        Db.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(await Leases.RenewAsync("leader", "a", Ttl));
        Db.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("a", await Leases.FindHolderAsync("leader"));

        Db.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await Leases.RenewAsync("leader", "a", Ttl));
        Assert.False(await Leases.RenewAsync("never-taken", "a", Ttl));
    }

    [Fact]
    public async Task ReleaseAsync_ByTheHolder_FreesTheLeaseAtOnce()
    {
        await Leases.TryAcquireAsync("leader", "a", Ttl);

        await Leases.ReleaseAsync("leader", "b");
        Assert.Equal("a", await Leases.FindHolderAsync("leader"));

        await Leases.ReleaseAsync("leader", "a");
        Assert.Null(await Leases.FindHolderAsync("leader"));
        Assert.True(await Leases.TryAcquireAsync("leader", "b", Ttl));
    }

    [Fact]
    public async Task PurgeExpiredAsync_RemovesOnlyLeasesExpiredBeforeTheGivenTime()
    {
        await Leases.TryAcquireAsync("replica/old", "old", TimeSpan.FromSeconds(1));
        await Leases.TryAcquireAsync("replica/new", "new", Ttl);
        Db.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(1, await Leases.PurgeExpiredAsync(Db.Time.GetUtcNow()));

        Assert.Equal("new", await Leases.FindHolderAsync("replica/new"));
        Assert.True(await Leases.TryAcquireAsync("replica/old", "other", Ttl));
    }

    [Fact]
    public async Task TryAcquireAsync_ManyHoldersAtOnce_ExactlyOneWins()
    {
        var stores = Enumerable.Range(0, 3).Select(_ => Db.CreateLeaseStore(Db.Time)).ToArray();

        var won = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => stores[i % 3].TryAcquireAsync("leader", $"h{i}", Ttl))));

        Assert.Single(won, w => w);
        Assert.Equal($"h{Array.IndexOf(won, true)}", await Leases.FindHolderAsync("leader"));
    }
}
