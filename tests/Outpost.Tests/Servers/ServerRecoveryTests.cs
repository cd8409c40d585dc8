using Outpost.Servers;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

public sealed class ServerRecoveryTests : StoreTests<SqliteStoreFixture>
{
    private static readonly ServerKey Key = new("hub1", "lab", "s1");

    [Fact]
    public async Task RecoverAsync_InterruptedStart_StopsWhatExists_AndMarksItFailed()
    {
        await using var servers = new ServersHarness(Db);
        var record = await servers.SeedAsync(Db, Key, ServerPhase.Starting);
        await servers.Store.SaveHandleAsync(record.Id, new Outpost.Backends.BackendHandle("half-started"));

        await servers.Get<ServerRecovery>().RecoverAsync((await servers.Store.FindAsync(Key))!, CancellationToken.None);

        Assert.Equal(["half-started"], servers.Backend.Stopped);
        var failed = await servers.Store.FindAsync(Key);
        Assert.Equal(ServerPhase.Failed, failed!.Phase);
        Assert.StartsWith("The Outpost restarted while the server was starting", failed.Error);
    }

    [Fact]
    public async Task RecoverAsync_UnfinishedStop_FinishesIt()
    {
        await using var servers = new ServersHarness(Db);
        var record = await servers.SeedAsync(Db, Key, ServerPhase.Stopping);

        await servers.Get<ServerRecovery>().RecoverAsync(record, CancellationToken.None);

        Assert.Equal(["handle-of-lab"], servers.Backend.Stopped);
        Assert.Null(await servers.Store.FindAsync(Key));
    }

    [Fact]
    public async Task RecoverAsync_Running_IsLeftAlone()
    {
        await using var servers = new ServersHarness(Db);
        var record = await servers.SeedAsync(Db, Key, ServerPhase.Running);

        await servers.Get<ServerRecovery>().RecoverAsync(record, CancellationToken.None);

        Assert.Empty(servers.Backend.Stopped);
        Assert.Equal(ServerPhase.Running, (await servers.Store.FindAsync(Key))!.Phase);
    }
}
