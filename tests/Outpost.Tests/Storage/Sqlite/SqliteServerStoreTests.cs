using System.Text;
using Outpost.Backends;
using Outpost.Servers;
using Outpost.Storage;
using Outpost.Storage.Sqlite;

namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteServerStoreTests : IAsyncLifetime, IDisposable
{
    private const string Token = "hub-token-7f3c9a2e-do-not-store";
    private readonly SqliteStoreFixture _db = new();
    private readonly SqliteServerStore _store;

    public SqliteServerStoreTests()
    {
        _store = new SqliteServerStore(_db.Database, _db.Codec, _db.Time);
    }

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task InsertAsync_NewKey_CanBeFoundWithEveryField()
    {
        var end = _db.Time.GetUtcNow().AddHours(8);
        var outcome = await _store.InsertAsync(Record("hub1", "lab") with { Flavor = "big", EndDate = end });

        Assert.True(outcome.Succeeded);
        Assert.Null(outcome.Blocking);
        var found = await _store.FindAsync(new ServerKey("hub1", "lab", "0"));
        Assert.NotNull(found);
        Assert.Equal(outcome.Inserted!.Id, found.Id);
        Assert.Equal(new ServerKey("hub1", "lab", "0"), found.Key);
        Assert.Equal("alice", found.UserName);
        Assert.Equal(17, found.UserId);
        Assert.Equal("Local", found.Backend);
        Assert.Equal("big", found.Flavor);
        Assert.Equal("res-lab", found.ResourceName);
        Assert.Equal(ServerPhase.Pending, found.Phase);
        Assert.Equal(_db.Time.GetUtcNow(), found.StartDate);
        Assert.Equal(_db.Time.GetUtcNow(), found.LastUpdate);
        Assert.Equal(end, found.EndDate);
        Assert.Null(found.Handle);
        Assert.Equal(Token, _db.Codec.Unprotect(found.ProtectedSpec).Env[HubEnv.ApiToken]);
    }

    [Fact]
    public async Task InsertAsync_AnyPhaseGiven_StoresPending()
    {
        var outcome = await _store.InsertAsync(Record("hub1", "lab") with { Phase = ServerPhase.Running });

        Assert.Equal(ServerPhase.Pending, outcome.Inserted!.Phase);
        Assert.Equal(ServerPhase.Pending, (await _store.FindByIdAsync(outcome.Inserted.Id))!.Phase);
    }

    [Theory]
    [InlineData(ServerPhase.Pending)]
    [InlineData(ServerPhase.Starting)]
    [InlineData(ServerPhase.Running)]
    [InlineData(ServerPhase.Stopping)]
    public async Task InsertAsync_ActiveDuplicate_IsRefusedWithTheBlockingRecord(ServerPhase phase)
    {
        var first = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        await MoveToAsync(first.Id, phase);

        var second = await _store.InsertAsync(Record("hub1", "lab") with { ResourceName = "other" });

        Assert.False(second.Succeeded);
        Assert.Null(second.Inserted);
        Assert.Equal(first.Id, second.Blocking!.Id);
        Assert.Equal(phase, second.Blocking.Phase);
        Assert.Equal("res-lab", (await _store.FindByIdAsync(first.Id))!.ResourceName);
    }

    [Theory]
    [InlineData(ServerPhase.Stopped)]
    [InlineData(ServerPhase.Failed)]
    public async Task InsertAsync_EndedDuplicate_IsReplaced(ServerPhase phase)
    {
        var first = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!;
        await MoveToAsync(first.Id, phase);

        var second = await _store.InsertAsync(Record("hub1", "lab") with { ResourceName = "other" });

        Assert.True(second.Succeeded);
        Assert.NotEqual(first.Id, second.Inserted!.Id);
        Assert.Null(await _store.FindByIdAsync(first.Id));
        var found = await _store.FindAsync(new ServerKey("hub1", "lab", "0"));
        Assert.Equal(second.Inserted.Id, found!.Id);
        Assert.Equal(ServerPhase.Pending, found.Phase);
        Assert.Equal("other", found.ResourceName);
    }

    [Fact]
    public async Task InsertAsync_SameNameOtherHubOrStartId_IsAllowed()
    {
        Assert.True((await _store.InsertAsync(Record("hub1", "lab"))).Succeeded);
        Assert.True((await _store.InsertAsync(Record("hub2", "lab"))).Succeeded);
        Assert.True((await _store.InsertAsync(Record("hub1", "lab") with { Key = new ServerKey("hub1", "lab", "1") })).Succeeded);
    }

    [Theory]
    [InlineData(ServerPhase.Pending, ServerPhase.Starting, true)]
    [InlineData(ServerPhase.Starting, ServerPhase.Running, false)]
    [InlineData(ServerPhase.Running, ServerPhase.Stopping, false)]
    public async Task TransitionAsync_FromPending_SucceedsOnlyWhenExpected(ServerPhase from, ServerPhase to, bool expected)
    {
        var id = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        var moved = await _store.TransitionAsync(id, from, to, ServerChanges.None);

        Assert.Equal(expected, moved);
        Assert.Equal(expected ? to : ServerPhase.Pending, (await _store.FindByIdAsync(id))!.Phase);
    }

    [Fact]
    public async Task TransitionAsync_SecondIdenticalTransition_Fails()
    {
        var id = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        Assert.True(await _store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));
        Assert.False(await _store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));
    }

    [Fact]
    public async Task TransitionAsync_UnknownId_Fails() =>
        Assert.False(await _store.TransitionAsync(999, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None));

    [Fact]
    public async Task TransitionAsync_Changes_AreStoredAndNullKeepsValues()
    {
        var id = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;
        var end = _db.Time.GetUtcNow().AddHours(1);
        _db.Time.Advance(TimeSpan.FromMinutes(1));

        await _store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, new ServerChanges
        {
            Handle = new BackendHandle("""{"pid":42}"""),
            ServiceAddress = "127.0.0.1:5000",
            EndDate = end,
        });
        await _store.TransitionAsync(id, ServerPhase.Starting, ServerPhase.Failed, new ServerChanges { ExitCode = 3, Error = "boom" });

        var found = await _store.FindByIdAsync(id);
        Assert.Equal(ServerPhase.Failed, found!.Phase);
        Assert.Equal("""{"pid":42}""", found.Handle!.Data);
        Assert.Equal("127.0.0.1:5000", found.ServiceAddress);
        Assert.Equal(end, found.EndDate);
        Assert.Equal(3, found.ExitCode);
        Assert.Equal("boom", found.Error);
        Assert.Equal(_db.Time.GetUtcNow(), found.LastUpdate);
        Assert.True(found.LastUpdate > found.StartDate);
    }

    [Fact]
    public async Task SaveHandleAsync_Handle_IsReadBackDecrypted()
    {
        var id = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        await _store.SaveHandleAsync(id, new BackendHandle("""{"pid":4242,"secret":"handle-marker-91b2"}"""));

        Assert.Equal("""{"pid":4242,"secret":"handle-marker-91b2"}""", (await _store.FindByIdAsync(id))!.Handle!.Data);
        Assert.False(Contains(_db.RawBytes(), "handle-marker-91b2"));
    }

    [Fact]
    public async Task ListAsync_Hub_ReturnsOnlyThatHubsServersInOrder()
    {
        await _store.InsertAsync(Record("hub1", "a"));
        await _store.InsertAsync(Record("hub2", "a"));
        await _store.InsertAsync(Record("hub1", "b"));

        var hub1 = await _store.ListAsync("hub1");
        var hub3 = await _store.ListAsync("hub3");

        Assert.Equal(["a", "b"], hub1.Select(r => r.Key.Name));
        Assert.All(hub1, r => Assert.Equal("hub1", r.Key.Hub));
        Assert.Empty(hub3);
    }

    [Fact]
    public async Task FindAsync_OtherHub_ReturnsNull()
    {
        await _store.InsertAsync(Record("hub1", "lab"));

        Assert.Null(await _store.FindAsync(new ServerKey("hub2", "lab", "0")));
        Assert.Null(await _store.FindAsync(new ServerKey("hub1", "lab", "1")));
    }

    [Fact]
    public async Task ListByPhaseAsync_Phases_ReturnsMatchingServers()
    {
        var a = (await _store.InsertAsync(Record("hub1", "a"))).Inserted!.Id;
        var b = (await _store.InsertAsync(Record("hub1", "b"))).Inserted!.Id;
        await _store.InsertAsync(Record("hub2", "c"));
        await MoveToAsync(a, ServerPhase.Running);
        await MoveToAsync(b, ServerPhase.Stopping);

        var found = await _store.ListByPhaseAsync([ServerPhase.Running, ServerPhase.Stopping]);

        Assert.Equal([a, b], found.Select(r => r.Id));
    }

    [Fact]
    public async Task DeleteAsync_Id_RemovesTheServer()
    {
        var id = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        await _store.DeleteAsync(id);

        Assert.Null(await _store.FindByIdAsync(id));
    }

    [Fact]
    public async Task CountAsync_Servers_GroupsByBackendAndPhase()
    {
        var a = (await _store.InsertAsync(Record("hub1", "a"))).Inserted!.Id;
        await _store.InsertAsync(Record("hub1", "b"));
        await _store.InsertAsync(Record("hub1", "c") with { Backend = "Slurm" });
        await MoveToAsync(a, ServerPhase.Running);

        var counts = await _store.CountAsync();

        Assert.Equal(
            [("Local", ServerPhase.Pending, 1), ("Local", ServerPhase.Running, 1), ("Slurm", ServerPhase.Pending, 1)],
            counts.OrderBy(c => c.Backend).ThenBy(c => c.Phase));
    }

    [Fact]
    public async Task InsertAsync_Spec_IsNotStoredInPlaintext()
    {
        await _store.InsertAsync(Record("hub1", "lab"));

        var raw = _db.RawBytes();

        Assert.True(Contains(raw, "res-lab"), "the test reads the wrong file: a plaintext column is missing");
        Assert.False(Contains(raw, Token));
    }

    [Fact]
    public async Task Dates_AreStoredAsUtc()
    {
        var id = (await _store.InsertAsync(Record("hub1", "lab"))).Inserted!.Id;

        var found = await _store.FindByIdAsync(id);

        Assert.Equal(TimeSpan.Zero, found!.StartDate.Offset);
        Assert.Equal(TimeSpan.Zero, found.LastUpdate.Offset);
    }

    private async Task MoveToAsync(long id, ServerPhase phase)
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
            Assert.True(await _store.TransitionAsync(id, from, to, ServerChanges.None));
            from = to;
        }
    }

    private ServerRecord Record(string hub, string name)
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
            ProtectedSpec = _db.Codec.Protect(spec),
        };
    }

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
