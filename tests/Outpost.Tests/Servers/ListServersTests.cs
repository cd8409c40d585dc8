using Outpost.Backends;
using Outpost.Servers;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

/// <summary>The list use case with each server's poll answer (<c>GET /services?poll=true</c>), over a real store and a scripted backend.</summary>
public sealed class ListServersTests : StoreTests<SqliteStoreFixture>
{
    private static readonly ServerKey Running = new("hub1", "lab", "r1");
    private static readonly ServerKey Exited = new("hub1", "lab2", "x1");
    private static readonly ServerKey Starting = new("hub1", "", "s1");
    private static readonly ServerKey OtherHub = new("hub2", "lab", "r1");

    [Fact]
    public async Task RunAsync_WithPoll_EachEntryHasWhatItsOwnPollAnswers_OnlyTheHubsOwn()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Running, ServerPhase.Running);
        await servers.SeedAsync(Db, Exited, ServerPhase.Running);
        await servers.SeedAsync(Db, Starting, ServerPhase.Starting);
        await servers.SeedAsync(Db, OtherHub, ServerPhase.Running);
        servers.Backend.Status = handle => handle.Data == "handle-of-lab2" ? BackendStatus.Exited(7, null) : BackendStatus.Running;

        var list = await servers.Get<ListServers>().RunAsync("hub1", withPoll: true, CancellationToken.None);

        Assert.Equal([Running.StartId, Exited.StartId, Starting.StartId], list.Select(s => s.StartId));
        Assert.All(list, s => Assert.Equal("hub1", s.JupyterHub));
        Assert.Equal([null, 7, null], list.Select(s => s.Poll!.Status));
        Assert.All(list, s => Assert.Null(s.Poll!.Error));
        // As the single poll: the exit the backend reported is stored, so the next answer is the same.
        Assert.Equal(ServerPhase.Stopped, (await servers.Store.FindAsync(Exited))!.Phase);
        var single = await servers.Get<PollServer>().RunAsync(Exited, collectLogs: false, new Dictionary<string, string>(), CancellationToken.None);
        Assert.Equal(7, Assert.IsType<PollServerResult.Polled>(single).Status);
    }

    [Fact]
    public async Task RunAsync_WithoutPoll_HasNoPollAnswers_AndAsksNoBackend()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Running, ServerPhase.Running);
        servers.Backend.Status = _ => throw new InvalidOperationException("a plain list asks no backend");

        var list = await servers.Get<ListServers>().RunAsync("hub1", CancellationToken.None);

        Assert.Null(Assert.Single(list).Poll);
    }

    [Fact]
    public async Task RunAsync_WithPoll_BackendCannotBeAsked_IsAnErrorEntryWithoutStatus()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Running, ServerPhase.Running);
        servers.Backend.Status = _ => throw new BackendException("cluster unreachable");

        var list = await servers.Get<ListServers>().RunAsync("hub1", withPoll: true, CancellationToken.None);

        Assert.Equal(new PolledStatus(null, "cluster unreachable"), Assert.Single(list).Poll);
    }

    [Fact]
    public async Task RunAsync_WithPoll_DoesNotTouchAuthStates()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Running, ServerPhase.Running);
        servers.Get<AuthStateCache>().Set(Running, new Dictionary<string, string> { ["access_token"] = "t" });

        await servers.Get<ListServers>().RunAsync("hub1", withPoll: true, CancellationToken.None);

        Assert.Equal("t", servers.Get<AuthStateCache>().Get(Running)["access_token"]);
    }
}
