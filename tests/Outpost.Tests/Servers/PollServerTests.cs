using Outpost.Backends;
using Outpost.Servers;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

/// <summary>The poll use case over a real store and a scripted backend.</summary>
public sealed class PollServerTests : StoreTests<SqliteStoreFixture>
{
    private static readonly ServerKey Key = new("hub1", "lab", "s1");
    private static readonly Dictionary<string, string> AuthState = new() { ["access_token"] = "t" };

    [Fact]
    public async Task RunAsync_UnknownServer_IsNotFound_AndKeepsNoAuthState()
    {
        await using var servers = new ServersHarness(Db);

        var result = await servers.Get<PollServer>().RunAsync(Key, collectLogs: false, AuthState, CancellationToken.None);

        Assert.IsType<PollServerResult.NotFound>(result);
        Assert.Equal(0, servers.Get<AuthStateCache>().Count);
    }

    [Fact]
    public async Task RunAsync_Running_HasNoStatus_AndRefreshesTheAuthState()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);

        var result = await servers.Get<PollServer>().RunAsync(Key, collectLogs: false, AuthState, CancellationToken.None);

        var polled = Assert.IsType<PollServerResult.Polled>(result);
        Assert.Null(polled.Status);
        Assert.Empty(polled.Logs);
        Assert.Equal("t", servers.Get<AuthStateCache>().Get(Key)["access_token"]);
    }

    [Fact]
    public async Task RunAsync_BackendReportsAnExit_IsItsExitCode_StoredAsStopped_WithTheMessageRedacted()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);
        servers.Backend.Status = _ => BackendStatus.Exited(3, "crashed, token token-of-alice");

        var result = await servers.Get<PollServer>().RunAsync(Key, collectLogs: false, AuthState, CancellationToken.None);

        Assert.Equal(3, Assert.IsType<PollServerResult.Polled>(result).Status);
        var record = await servers.Store.FindAsync(Key);
        Assert.Equal(ServerPhase.Stopped, record!.Phase);
        Assert.Equal("crashed, token [redacted]", record.Error);
    }

    [Fact]
    public async Task RunAsync_Failed_IsStatus1_WithTheReasonAfterTheLogs()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Failed, error: "The server did not start within 60 s.");

        var result = await PollAsync(servers, collectLogs: true);

        Assert.Equal(1, result.Status);
        Assert.Equal(["The server did not start within 60 s."], result.Logs);
    }

    [Fact]
    public async Task RunAsync_CollectLogs_RedactsTheServersSecrets()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);
        servers.Backend.Logs = ["started", "token is token-of-alice"];

        var result = await PollAsync(servers, collectLogs: true);

        Assert.Equal(["started", "token is [redacted]"], result.Logs);
    }

    [Fact]
    public async Task RunAsync_BackendCannotBeAsked_IsRefused()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);
        servers.Backend.Status = _ => throw new BackendException("cluster unreachable");

        var result = await servers.Get<PollServer>().RunAsync(Key, collectLogs: false, AuthState, CancellationToken.None);

        Assert.Equal(new Refusal(nameof(BackendException), "cluster unreachable"), Assert.IsType<PollServerResult.Refused>(result).Refusal);
    }

    private static async Task<PollServerResult.Polled> PollAsync(ServersHarness servers, bool collectLogs) =>
        Assert.IsType<PollServerResult.Polled>(await servers.Get<PollServer>().RunAsync(Key, collectLogs, AuthState, CancellationToken.None));
}
