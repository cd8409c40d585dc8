using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresServerStoreTests : ServerStoreTests<PostgresStoreFixture>
{
    /// <summary>Unlike SQLite's (one process, polls from memory), a shared database's poll state is never cached.</summary>
    [Fact]
    public async Task FindPollStateAsync_WriteByAnotherReplica_IsSeenAtOnce()
    {
        var key = new ServerKey("hub1", "lab", "0");
        var record = (await Db.Servers.InsertAsync(Record("hub1", "lab"))).Inserted!;
        Assert.Equal(ServerPhase.Pending, (await Db.Servers.FindPollStateAsync(key))!.Phase);
        var other = Db.ServersOf(new ReplicaIdentity("replica-b"));

        await other.TransitionAsync(record.Id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None);

        Assert.Equal(ServerPhase.Starting, (await Db.Servers.FindPollStateAsync(key))!.Phase);
    }
}
