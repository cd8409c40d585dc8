using Outpost.Servers;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

public sealed class ServerExpiryTests : StoreTests<SqliteStoreFixture>
{
    private static readonly ServerKey Key = new("hub1", "lab", "s1");

    [Fact]
    public async Task ExpireAsync_StopsAndRemovesTheServer()
    {
        await using var servers = new ServersHarness(Db);
        var record = await servers.SeedAsync(Db, Key, ServerPhase.Running);

        await servers.Get<ServerExpiry>().ExpireAsync(record, CancellationToken.None);

        Assert.Equal(["handle-of-lab"], servers.Backend.Stopped);
        Assert.Null(await servers.Store.FindAsync(Key));
    }

    [Fact]
    public async Task RemoveFailedAsync_RemovesAFailedServer_ButNotOneThatChangedMeanwhile()
    {
        await using var servers = new ServersHarness(Db);
        var failed = await servers.SeedAsync(Db, Key, ServerPhase.Failed, error: "no");
        var running = await servers.SeedAsync(Db, Key with { Name = "other" }, ServerPhase.Running);

        await servers.Get<ServerExpiry>().RemoveFailedAsync(failed, CancellationToken.None);
        await servers.Get<ServerExpiry>().RemoveFailedAsync(running with { Phase = ServerPhase.Failed }, CancellationToken.None);

        Assert.Null(await servers.Store.FindAsync(Key));
        Assert.NotNull(await servers.Store.FindAsync(running.Key));
    }
}
