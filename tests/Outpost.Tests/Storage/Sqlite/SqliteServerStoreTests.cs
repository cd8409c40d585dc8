using Outpost.Servers;

namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteServerStoreTests : ServerStoreTests<SqliteStoreFixture>
{
    [Fact]
    public async Task FindPollStateAsync_RepeatedPolls_DoNotReadTheDatabase()
    {
        var key = new ServerKey("hub1", "lab", "0");
        await Db.Servers.InsertAsync(Record("hub1", "lab"));
        Assert.NotNull(await Db.Servers.FindPollStateAsync(key));

        // With the file gone from under it, only the cache can answer.
        File.Move(Db.DatabaseFile, Db.DatabaseFile + ".moved");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Equal(ServerPhase.Pending, (await Db.Servers.FindPollStateAsync(key))!.Phase);
        File.Move(Db.DatabaseFile + ".moved", Db.DatabaseFile);
    }
}
