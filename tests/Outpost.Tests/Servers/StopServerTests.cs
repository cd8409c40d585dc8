using Outpost.Backends;
using Outpost.Servers;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

/// <summary>The stop use case (and <see cref="ServerStopper"/> under it) over a real store and a scripted backend.</summary>
public sealed class StopServerTests : StoreTests<SqliteStoreFixture>
{
    private static readonly ServerKey Key = new("hub1", "lab", "s1");

    [Fact]
    public async Task RunAsync_UnknownServer_IsNotFound()
    {
        await using var servers = new ServersHarness(Db);

        Assert.IsType<StopServerResult.NotFound>(await servers.Get<StopServer>().RunAsync(Key, collectLogs: false, waitForStop: true, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_Synchronous_StopsTheWorkload_RemovesTheServer_AndReturnsItsRedactedLogs()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);
        servers.Get<AuthStateCache>().Set(Key, new Dictionary<string, string> { ["access_token"] = "t" });
        servers.Backend.Logs = ["bye token-of-alice"];

        var result = await servers.Get<StopServer>().RunAsync(Key, collectLogs: true, waitForStop: true, CancellationToken.None);

        Assert.Equal(["bye [redacted]"], Assert.IsType<StopServerResult.Stopped>(result).Logs);
        Assert.Equal(["handle-of-lab"], servers.Backend.Stopped);
        Assert.Null(await servers.Store.FindAsync(Key));
        Assert.Equal(0, servers.Get<AuthStateCache>().Count);
    }

    [Fact]
    public async Task RunAsync_Asynchronous_IsAcceptedAtOnce_AndRemovesTheServerInTheBackground()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);

        var result = await servers.Get<StopServer>().RunAsync(Key, collectLogs: true, waitForStop: false, CancellationToken.None);

        Assert.IsType<StopServerResult.Accepted>(result);
        await servers.WaitForAsync(Key, r => r is null);
        Assert.Equal(["handle-of-lab"], servers.Backend.Stopped);
    }

    [Fact]
    public async Task RunAsync_BackendCannotStop_IsRefused_AndTheServerStaysStopping()
    {
        await using var servers = new ServersHarness(Db);
        await servers.SeedAsync(Db, Key, ServerPhase.Running);
        servers.Backend.StopFailure = new BackendException("scancel failed");

        var result = await servers.Get<StopServer>().RunAsync(Key, collectLogs: false, waitForStop: true, CancellationToken.None);

        Assert.Equal(new Refusal(nameof(BackendException), "scancel failed"), Assert.IsType<StopServerResult.Refused>(result).Refusal);
        Assert.Equal(ServerPhase.Stopping, (await servers.Store.FindAsync(Key))!.Phase);
    }

    [Fact]
    public async Task RunAsync_DuringAStart_CancelsTheStart_WhichRemovesWhatTheBackendCreated()
    {
        await using var servers = new ServersHarness(Db);
        servers.Backend.StartGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = System.Text.Json.JsonDocument.Parse("""
            {"name": "lab", "env": {"JUPYTERHUB_USER": "alice"}, "user_options": {"start_id": "s1"}}
            """).RootElement.Clone();
        await servers.Get<StartServer>().RunAsync("hub1", body, new Dictionary<string, string>(), waitForStart: false, CancellationToken.None);
        await servers.Backend.StartEntered.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var result = await servers.Get<StopServer>().RunAsync(Key, collectLogs: false, waitForStop: true, CancellationToken.None);

        Assert.IsType<StopServerResult.Stopped>(result);
        Assert.Null(await servers.Store.FindAsync(Key));
        Assert.NotEmpty(servers.Backend.Stopped);
    }
}
