using System.Text;
using Outpost.Backends;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Tests.Storage;

/// <summary><see cref="IServerStore"/> behaviour every provider must have (subclasses pick the provider).</summary>
public abstract class ServerStoreTests<TFixture> : StoreTests<TFixture>
    where TFixture : StoreFixture, new()
{
    private const string Token = "hub-token-7f3c9a2e-do-not-store";

    private IServerStore Store => Db.Servers;

    [Fact]
    public async Task InsertAsync_NewKey_CanBeFoundWithEveryField()
    {
        var end = Db.Time.GetUtcNow().AddHours(8);
        var outcome = await Store.InsertAsync(Record("hub1", "lab") with { Flavor = "big", EndDate = end });

        Assert.True(outcome.Succeeded);
        Assert.Null(outcome.Blocking);
        var found = await Store.FindAsync(new ServerKey("hub1", "lab", "0"));
        Assert.NotNull(found);
        Assert.Equal(outcome.Inserted!.Id, found.Id);
        Assert.Equal(new ServerKey("hub1", "lab", "0"), found.Key);
        Assert.Equal("alice", found.UserName);
        Assert.Equal(17, found.UserId);
        Assert.Equal("Local", found.Backend);
        Assert.Equal("big", found.Flavor);
        Assert.Equal("res-lab", found.ResourceName);
        Assert.Equal(ServerPhase.Pending, found.Phase);
        Assert.Equal(Db.Time.GetUtcNow(), found.StartDate);
        Assert.Equal(Db.Time.GetUtcNow(), found.LastUpdate);
        Assert.Equal(end, found.EndDate);
        Assert.Null(found.Handle);
        Assert.Equal(Token, Db.Codec.Unprotect(found.ProtectedSpec).Env[HubEnv.ApiToken]);
    }

    [Fact]
    public async Task InsertAsync_AnyPhaseGiven_StoresPending()
    {
        var outcome = await Store.InsertAsync(Record("hub1", "lab") with { Phase = ServerPhase.Running });

        Assert.Equal(ServerPhase.Pending, outcome.Inserted!.Phase);
        Assert.Equal(ServerPhase.Pending, (await Store.FindByIdAsync(outcome.Inserted.Id))!.Phase);
    }

    [Theory]
    [InlineData(ServerPhase.Pending)]
    [InlineData(ServerPhase.Starting)]
    [InlineData(ServerPhase.Running)]
    [InlineData(ServerPhase.Stopping)]
    public async Task InsertAsync_ActiveDuplicate_IsRefusedWithTheBlockingRecord(ServerPhase phase)
    {
        var first = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        await MoveToAsync(first.Id, phase);

        var second = await Store.InsertAsync(Record("hub1", "lab") with { ResourceName = "other" });

        Assert.False(second.Succeeded);
        Assert.Null(second.Inserted);
        Assert.Equal(first.Id, second.Blocking!.Id);
        Assert.Equal(phase, second.Blocking.Phase);
        Assert.Equal("res-lab", (await Store.FindByIdAsync(first.Id))!.ResourceName);
    }

    [Theory]
    [InlineData(ServerPhase.Stopped)]
    [InlineData(ServerPhase.Failed)]
    public async Task InsertAsync_EndedDuplicate_IsReplaced(ServerPhase phase)
    {
        var first = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        await MoveToAsync(first.Id, phase);

        var second = await Store.InsertAsync(Record("hub1", "lab") with { ResourceName = "other" });

        Assert.True(second.Succeeded);
        Assert.NotEqual(first.Id, second.Inserted!.Id);
        Assert.Null(await Store.FindByIdAsync(first.Id));
        var found = await Store.FindAsync(new ServerKey("hub1", "lab", "0"));
        Assert.Equal(second.Inserted.Id, found!.Id);
        Assert.Equal(ServerPhase.Pending, found.Phase);
        Assert.Equal("other", found.ResourceName);
    }

    [Fact]
    public async Task InsertAsync_SameNameOtherHubOrStartId_IsAllowed()
    {
        Assert.True((await Store.InsertAsync(Record("hub1", "lab"))).Succeeded);
        Assert.True((await Store.InsertAsync(Record("hub2", "lab"))).Succeeded);
        Assert.True((await Store.InsertAsync(Record("hub1", "lab") with { Key = new ServerKey("hub1", "lab", "1") })).Succeeded);
    }

    [Theory]
    [InlineData(ServerPhase.Pending, ServerPhase.Starting, true)]
    [InlineData(ServerPhase.Starting, ServerPhase.Running, false)]
    [InlineData(ServerPhase.Running, ServerPhase.Stopping, false)]
    public async Task TransitionAsync_FromPending_SucceedsOnlyWhenExpected(ServerPhase from, ServerPhase to, bool expected)
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        var moved = await Store.TransitionAsync(id, from, to, ServerChanges.None);

        Assert.Equal(expected, moved);
        Assert.Equal(expected ? to : ServerPhase.Pending, (await Store.FindByIdAsync(id))!.Phase);
    }

    [Fact]
    public async Task TransitionAsync_SecondIdenticalTransition_Fails()
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        Assert.True(await Store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));
        Assert.False(await Store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));
    }

    [Fact]
    public async Task TransitionAsync_UnknownId_Fails() =>
        Assert.False(await Store.TransitionAsync(999, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));

    [Fact]
    public async Task TransitionAsync_Changes_AreStoredAndNullKeepsValues()
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;
        var end = Db.Time.GetUtcNow().AddHours(1);
        Db.Time.Advance(TimeSpan.FromMinutes(1));

        await Store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, new ServerChanges
        {
            Handle = new BackendHandle("""{"pid":42}"""),
            ServiceAddress = "127.0.0.1:5000",
            EndDate = end,
        });
        await Store.TransitionAsync(id, ServerPhase.Starting, ServerPhase.Failed, new ServerChanges { ExitCode = 3, Error = "boom" });

        var found = await Store.FindByIdAsync(id);
        Assert.Equal(ServerPhase.Failed, found!.Phase);
        Assert.Equal("""{"pid":42}""", found.Handle!.Data);
        Assert.Equal("127.0.0.1:5000", found.ServiceAddress);
        Assert.Equal(end, found.EndDate);
        Assert.Equal(3, found.ExitCode);
        Assert.Equal("boom", found.Error);
        Assert.Equal(Db.Time.GetUtcNow(), found.LastUpdate);
        Assert.True(found.LastUpdate > found.StartDate);
    }

    [Fact]
    public async Task SaveHandleAsync_Handle_IsReadBackDecrypted()
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        await Store.SaveHandleAsync(id, new BackendHandle("""{"pid":4242,"secret":"handle-marker-91b2"}"""));

        Assert.Equal("""{"pid":4242,"secret":"handle-marker-91b2"}""", (await Store.FindByIdAsync(id))!.Handle!.Data);
        Assert.False(Contains(await Db.RawBytesAsync(), "handle-marker-91b2"));
    }

    [Fact]
    public async Task ListAsync_Hub_ReturnsOnlyThatHubsServersInOrder()
    {
        await Store.InsertAsync(Record("hub1", "a"));
        await Store.InsertAsync(Record("hub2", "a"));
        await Store.InsertAsync(Record("hub1", "b"));

        var hub1 = await Store.ListAsync("hub1");
        var hub3 = await Store.ListAsync("hub3");

        Assert.Equal(["a", "b"], hub1.Select(r => r.Key.Name));
        Assert.All(hub1, r => Assert.Equal("hub1", r.Key.Hub));
        Assert.Empty(hub3);
    }

    [Fact]
    public async Task FindAsync_OtherHub_ReturnsNull()
    {
        await Store.InsertAsync(Record("hub1", "lab"));

        Assert.Null(await Store.FindAsync(new ServerKey("hub2", "lab", "0")));
        Assert.Null(await Store.FindAsync(new ServerKey("hub1", "lab", "1")));
    }

    [Fact]
    public async Task ListByPhaseAsync_Phases_ReturnsMatchingServers()
    {
        var a = (await Store.InsertAsync(Record("hub1", "a"))).Inserted!.Id;
        var b = (await Store.InsertAsync(Record("hub1", "b"))).Inserted!.Id;
        await Store.InsertAsync(Record("hub2", "c"));
        await MoveToAsync(a, ServerPhase.Running);
        await MoveToAsync(b, ServerPhase.Stopping);

        var found = await Store.ListByPhaseAsync([ServerPhase.Running, ServerPhase.Stopping]);

        Assert.Equal([a, b], found.Select(r => r.Id));
    }

    [Fact]
    public async Task ListByPhaseAsync_NoPhases_ReturnsNothing()
    {
        await Store.InsertAsync(Record("hub1", "a"));

        Assert.Empty(await Store.ListByPhaseAsync([]));
    }

    [Fact]
    public async Task DeleteAsync_Id_RemovesTheServer()
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        await Store.DeleteAsync(id);

        Assert.Null(await Store.FindByIdAsync(id));
    }

    [Fact]
    public async Task CountAsync_Servers_GroupsByBackendAndPhase()
    {
        var a = (await Store.InsertAsync(Record("hub1", "a"))).Inserted!.Id;
        await Store.InsertAsync(Record("hub1", "b"));
        await Store.InsertAsync(Record("hub1", "c") with { Backend = "Slurm" });
        await MoveToAsync(a, ServerPhase.Running);

        var counts = await Store.CountAsync();

        Assert.Equal(
            [("Local", ServerPhase.Pending, 1), ("Local", ServerPhase.Running, 1), ("Slurm", ServerPhase.Pending, 1)],
            counts.OrderBy(c => c.Backend).ThenBy(c => c.Phase));
    }

    [Fact]
    public async Task InsertAsync_Spec_IsNotStoredInPlaintext()
    {
        await Store.InsertAsync(Record("hub1", "lab"));

        var raw = await Db.RawBytesAsync();

        Assert.True(Contains(raw, "res-lab"), "the test reads the wrong file: a plaintext column is missing");
        Assert.False(Contains(raw, Token));
    }

    [Fact]
    public async Task Dates_AreStoredAsUtc()
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        var found = await Store.FindByIdAsync(id);

        Assert.Equal(TimeSpan.Zero, found!.StartDate.Offset);
        Assert.Equal(TimeSpan.Zero, found.LastUpdate.Offset);
    }

    [Fact]
    public async Task FindPollStateAsync_AfterEveryKindOfWrite_ServesTheCommittedState()
    {
        var key = new ServerKey("hub1", "lab", "0");
        Assert.Null(await Store.FindPollStateAsync(key));
        var record = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        Assert.Equal(ServerPhase.Pending, (await Store.FindPollStateAsync(key))!.Phase);

        await Store.TransitionAsync(record.Id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None);
        Assert.Equal(ServerPhase.Starting, (await Store.FindPollStateAsync(key))!.Phase);

        await Store.SaveHandleAsync(record.Id, new BackendHandle("h1"));
        Assert.Equal("h1", (await Store.FindPollStateAsync(key))!.Handle!.Data);

        await Store.TransitionAsync(record.Id, ServerPhase.Starting, ServerPhase.Failed, new ServerChanges { Error = "boom" });
        var failed = (await Store.FindPollStateAsync(key))!;
        Assert.Equal((ServerPhase.Failed, "boom"), (failed.Phase, failed.Error));

        var replaced = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        var fresh = (await Store.FindPollStateAsync(key))!;
        Assert.Equal((replaced.Id, ServerPhase.Pending), (fresh.Id, fresh.Phase));

        await Store.DeleteAsync(replaced.Id);
        Assert.Null(await Store.FindPollStateAsync(key));
    }

    [Fact]
    public async Task InsertAndTransition_Owner_IsTheReplicaThatWroteThePhase()
    {
        var other = Db.ServersOf(new Outpost.Replicas.ReplicaIdentity("replica-b"));
        var inserted = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        Assert.Equal("replica-a", inserted.Owner);
        Assert.Equal("replica-a", (await other.FindByIdAsync(inserted.Id))!.Owner);

        Assert.True(await other.TransitionAsync(inserted.Id, ServerPhase.Pending, ServerPhase.Stopping, ServerChanges.None));
        await Store.SaveHandleAsync(inserted.Id, new BackendHandle("h"));
        Assert.False(await Store.TransitionAsync(inserted.Id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));

        Assert.Equal("replica-b", (await Store.FindByIdAsync(inserted.Id))!.Owner);
    }

    [Fact]
    public async Task InsertAsync_SameKeyFromManyReplicasAtOnce_ExactlyOneWins()
    {
        var stores = Enumerable.Range(0, 3).Select(i => Db.ServersOf(new Outpost.Replicas.ReplicaIdentity($"r{i}"))).ToArray();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => stores[i % 3].InsertAsync(Record("hub1", "lab")))));

        Assert.Single(outcomes, o => o.Succeeded);
        var winner = outcomes.Single(o => o.Succeeded).Inserted!.Id;
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.Equal(winner, o.Blocking!.Id));
        Assert.Single(await Store.ListAsync("hub1"));
    }

    [Fact]
    public async Task InsertAsync_EndedKeyReplacedFromManyReplicasAtOnce_ExactlyOneWins()
    {
        var first = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        await MoveToAsync(first.Id, ServerPhase.Failed);
        var stores = Enumerable.Range(0, 3).Select(i => Db.ServersOf(new Outpost.Replicas.ReplicaIdentity($"r{i}"))).ToArray();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => stores[i % 3].InsertAsync(Record("hub1", "lab")))));

        Assert.Single(outcomes, o => o.Succeeded);
        Assert.Equal(ServerPhase.Pending, Assert.Single(await Store.ListAsync("hub1")).Phase);
    }

    [Fact]
    public async Task TransitionAsync_SameTransitionFromManyReplicasAtOnce_ExactlyOneWins()
    {
        var id = (await Store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;
        var stores = Enumerable.Range(0, 3).Select(i => Db.ServersOf(new Outpost.Replicas.ReplicaIdentity($"r{i}"))).ToArray();

        var moved = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            Task.Run(() => stores[i % 3].TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None))));

        Assert.Single(moved, m => m);
    }

    [Fact]
    public async Task InsertAsync_MaxOfFlavor_RefusesWhenReachedAndCountsOnlyActiveServers()
    {
        var quota = new ServerQuota(MaxOfFlavor: 2, MaxOfFlavorPerUser: null, MaxPerUser: null);
        var a = (await Store.InsertAsync(Flavored("a", "big", 1), quota)).Inserted!;
        Assert.True((await Store.InsertAsync(Flavored("b", "big", 2), quota)).Succeeded);
        Assert.True((await Store.InsertAsync(Flavored("c", "small", 3), quota)).Succeeded);
        Assert.True((await Store.InsertAsync(Flavored("d", "big", 4) with { Key = new ServerKey("hub2", "d", "0") }, quota)).Succeeded);

        var refused = await Store.InsertAsync(Flavored("e", "big", 5), quota);
        Assert.False(refused.Succeeded);
        Assert.Equal(QuotaLimit.OfFlavor, refused.Exceeded);
        Assert.Null(refused.Blocking);

        await MoveToAsync(a.Id, ServerPhase.Stopping);
        Assert.True((await Store.InsertAsync(Flavored("e", "big", 5), quota)).Succeeded);
        Assert.Equal(2, (await Store.CountActiveByFlavorAsync("hub1"))["big"]);
    }

    [Fact]
    public async Task InsertAsync_PerUserLimits_RefuseByUserId()
    {
        var quota = new ServerQuota(MaxOfFlavor: null, MaxOfFlavorPerUser: 1, MaxPerUser: 2);
        Assert.True((await Store.InsertAsync(Flavored("a", "big", 7), quota)).Succeeded);
        Assert.Equal(QuotaLimit.OfFlavorPerUser, (await Store.InsertAsync(Flavored("b", "big", 7), quota)).Exceeded);
        Assert.True((await Store.InsertAsync(Flavored("b", "big", 8), quota)).Succeeded);
        Assert.True((await Store.InsertAsync(Flavored("c", "small", 7), quota)).Succeeded);
        Assert.Equal(QuotaLimit.PerUser, (await Store.InsertAsync(Flavored("d", "tiny", 7), quota)).Exceeded);
    }

    [Fact]
    public async Task InsertAsync_FiftyConcurrentStartsOverThreeReplicasAgainstMaxFive_AdmitExactlyFive()
    {
        var quota = new ServerQuota(MaxOfFlavor: 5, MaxOfFlavorPerUser: null, MaxPerUser: null);
        var stores = Enumerable.Range(0, 3).Select(i => Db.ServersOf(new Outpost.Replicas.ReplicaIdentity($"r{i}"))).ToArray();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => stores[i % 3].InsertAsync(Flavored($"s{i}", "big", i), quota))));

        Assert.Equal(5, outcomes.Count(o => o.Succeeded));
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.Equal(QuotaLimit.OfFlavor, o.Exceeded));
        Assert.Equal(5, (await Store.CountActiveByFlavorAsync("hub1"))["big"]);
    }

    [Fact]
    public async Task CountActiveByFlavorAsync_Hub_CountsPendingStartingRunningPerFlavor()
    {
        var a = (await Store.InsertAsync(Flavored("a", "big", 1))).Inserted!.Id;
        var b = (await Store.InsertAsync(Flavored("b", "big", 2))).Inserted!.Id;
        var c = (await Store.InsertAsync(Flavored("c", "small", 3))).Inserted!.Id;
        await Store.InsertAsync(Record("hub1", "none"));
        await Store.InsertAsync(Flavored("x", "big", 4) with { Key = new ServerKey("hub2", "x", "0") });
        await MoveToAsync(a, ServerPhase.Running);
        await MoveToAsync(b, ServerPhase.Starting);
        await MoveToAsync(c, ServerPhase.Stopped);

        var counts = await Store.CountActiveByFlavorAsync("hub1");

        Assert.Equal(new Dictionary<string, int> { ["big"] = 2 }, counts);
    }

    [Fact]
    public async Task ListExpiredAsync_Now_ReturnsStartingOrRunningPastTheirEndDateOldestFirst()
    {
        var now = Db.Time.GetUtcNow();
        var late = (await Store.InsertAsync(Record("hub1", "late") with { EndDate = now.AddMinutes(-1) })).Inserted!.Id;
        var early = (await Store.InsertAsync(Record("hub1", "early") with { EndDate = now.AddMinutes(-5) })).Inserted!.Id;
        var future = (await Store.InsertAsync(Record("hub1", "future") with { EndDate = now.AddMinutes(5) })).Inserted!.Id;
        var stopped = (await Store.InsertAsync(Record("hub1", "stopped") with { EndDate = now.AddMinutes(-9) })).Inserted!.Id;
        var pending = (await Store.InsertAsync(Record("hub1", "pending") with { EndDate = now.AddMinutes(-9) })).Inserted!.Id;
        await MoveToAsync(late, ServerPhase.Running);
        await MoveToAsync(early, ServerPhase.Starting);
        await MoveToAsync(future, ServerPhase.Running);
        await MoveToAsync(stopped, ServerPhase.Stopped);

        Assert.Equal([early, late], (await Store.ListExpiredAsync(now, 10)).Select(r => r.Id));
        Assert.Equal([early], (await Store.ListExpiredAsync(now, 1)).Select(r => r.Id));
        Assert.DoesNotContain(pending, (await Store.ListExpiredAsync(now, 10)).Select(r => r.Id));
    }

    protected async Task MoveToAsync(long id, ServerPhase phase)
    {
        ServerPhase[] path = phase switch
        {
            ServerPhase.Pending => [],
            ServerPhase.Starting => [ServerPhase.Starting],
            ServerPhase.Running => [ServerPhase.Starting, ServerPhase.Running],
            ServerPhase.Stopping => [ServerPhase.Starting, ServerPhase.Running, ServerPhase.Stopping],
            ServerPhase.Stopped => [ServerPhase.Starting, ServerPhase.Running, ServerPhase.Stopped],
            _ => [ServerPhase.Starting, ServerPhase.Failed],
        };
        var from = ServerPhase.Pending;
        foreach (var to in path)
        {
            Assert.True(await Store.TransitionAsync(id, from, to, ServerChanges.None));
            from = to;
        }
    }

    protected ServerRecord Record(string hub, string name)
    {
        var spec = new ServerSpec
        {
            Name = name,
            StartId = "0",
            Env = new Dictionary<string, string> { [HubEnv.ApiToken] = Token, [HubEnv.User] = "alice", [HubEnv.UserId] = "17" },
        };
        return new ServerRecord
        {
            Key = new ServerKey(hub, name, "0"),
            UserName = "alice",
            UserId = 17,
            Backend = "Local",
            ResourceName = $"res-{name}",
            ProtectedSpec = Db.Codec.Protect(spec),
        };
    }

    private ServerRecord Flavored(string name, string flavor, long userId) =>
        Record("hub1", name) with { Flavor = flavor, UserId = userId };

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
