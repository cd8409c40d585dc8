namespace Outpost.Tests.Storage;

/// <summary>Base of the store tests that run against every provider: a fresh <typeparamref name="TFixture"/> per test.</summary>
public abstract class StoreTests<TFixture> : IAsyncLifetime
    where TFixture : StoreFixture, new()
{
    protected TFixture Db { get; } = new();

    public Task InitializeAsync() => Db.InitializeAsync();

    public async Task DisposeAsync() => await Db.DisposeAsync();
}
