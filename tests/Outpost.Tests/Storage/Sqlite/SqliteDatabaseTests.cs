using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteDatabaseTests : StoreTests<SqliteStoreFixture>
{
    [Fact]
    public async Task WriteAsync_ConcurrentCallers_RunOneAtATime()
    {
        var running = 0;
        var most = 0;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Db.Database.WriteAsync(async connection =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await connection.ExecuteAsync("INSERT INTO hubs (name, password_hash, created_at) VALUES (@name, 'x', 'now')", [("@name", $"hub{i}")]);
            await Task.Yield();
            Interlocked.Decrement(ref running);
        }))));

        Assert.Equal(1, most);
        await using var read = await Db.Database.OpenAsync();
        Assert.Equal(20, await read.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM hubs"));
    }

    [Fact]
    public async Task WriteAsync_FailedWrite_LetsTheNextOneRun()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Db.Database.WriteAsync(_ => throw new InvalidOperationException("no")));

        Assert.Equal(1, await Db.Database.WriteAsync(connection => connection.ExecuteAsync("INSERT INTO hubs (name, password_hash, created_at) VALUES ('a', 'x', 'now')")));
    }

    [Fact]
    public async Task InsertAndTransition_ManyConcurrentStarts_AllSucceed()
    {
        // 100 starts at once, each an insert transaction and two transitions: none may fail with SQLITE_BUSY.
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            var outcome = await Db.Servers.InsertAsync(Record($"s{i}"));
            var id = outcome.Inserted!.Id;
            Assert.True(await Db.Servers.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));
            Assert.True(await Db.Servers.TransitionAsync(id, ServerPhase.Starting, ServerPhase.Running, ServerChanges.None));
        })));

        Assert.Equal(100, (await Db.Servers.ListByPhaseAsync([ServerPhase.Running])).Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }

    private ServerRecord Record(string name) => new()
    {
        Key = new ServerKey("hub1", name, "0"),
        UserName = "alice",
        UserId = 17,
        Backend = "Local",
        ResourceName = $"res-{name}",
        ProtectedSpec = Db.Codec.Protect(new ServerSpec { Name = name, StartId = "0", Env = new Dictionary<string, string>() }),
    };
}
