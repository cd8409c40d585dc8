using System.Text.Json;
using Outpost.Backends;
using Outpost.Servers;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

/// <summary>The start use case over a real store and a scripted backend: one result per outcome.</summary>
public sealed class StartServerTests : StoreTests<SqliteStoreFixture>
{
    private static readonly ServerKey Key = new("hub1", "lab", "s1");
    private static readonly IReadOnlyDictionary<string, string> NoAuthState = new Dictionary<string, string>();

    [Fact]
    public async Task RunAsync_BodyNotAnObject_IsInvalidAndStoresNothing()
    {
        await using var servers = new ServersHarness(Db);

        var result = await servers.Get<StartServer>().RunAsync("hub1", Json("[]"), NoAuthState, waitForStart: true, CancellationToken.None);

        var invalid = Assert.IsType<StartServerResult.Invalid>(result);
        Assert.Equal("model_type", Assert.Single(invalid.Errors).Type);
        Assert.Empty(await servers.Store.ListAsync("hub1"));
    }

    [Fact]
    public async Task RunAsync_EnvTheHubMayNotSet_IsRefusedByPolicy()
    {
        await using var servers = new ServersHarness(Db);

        var result = await servers.Get<StartServer>().RunAsync("hub1", Body(env: """, "LD_PRELOAD": "x" """), NoAuthState, waitForStart: true, CancellationToken.None);

        var refusal = Assert.IsType<StartServerResult.Refused>(result).Refusal;
        Assert.Equal(nameof(OutpostRefusal), refusal.ErrorClass);
        Assert.Equal("alice:lab: env 'LD_PRELOAD' may not be set by a hub.", refusal.Message);
        Assert.Empty(servers.Backend.Stopped);
    }

    [Fact]
    public async Task RunAsync_BackendRefusesTheSpec_IsRefusedBeforeAnythingIsStored()
    {
        await using var servers = new ServersHarness(Db);
        servers.Backend.Refusal = "no GPUs here.";

        var result = await servers.Get<StartServer>().RunAsync("hub1", Body(), NoAuthState, waitForStart: true, CancellationToken.None);

        Assert.Equal("alice:lab: no GPUs here.", Assert.IsType<StartServerResult.Refused>(result).Refusal.Message);
        Assert.Null(await servers.Store.FindAsync(Key));
    }

    [Fact]
    public async Task RunAsync_Synchronous_IsStartedAtTheBackendsAddress_AndRunning()
    {
        await using var servers = new ServersHarness(Db);
        var authState = new Dictionary<string, string> { ["access_token"] = "t" };

        var result = await servers.Get<StartServer>().RunAsync("hub1", Body(), authState, waitForStart: true, CancellationToken.None);

        var record = await servers.Store.FindAsync(Key);
        Assert.Equal($"http://127.0.0.1:1/{record!.ResourceName}", Assert.IsType<StartServerResult.Started>(result).Service);
        Assert.Equal(ServerPhase.Running, record.Phase);
        Assert.Equal("t", servers.Get<AuthStateCache>().Get(Key)["access_token"]);
    }

    [Fact]
    public async Task RunAsync_SynchronousStartFails_IsRefusedWithTheRedactedReason_AndNothingStaysBehind()
    {
        await using var servers = new ServersHarness(Db);
        servers.Backend.StartFailure = new BackendException("no luck with token-of-alice");

        var result = await servers.Get<StartServer>().RunAsync("hub1", Body(), NoAuthState, waitForStart: true, CancellationToken.None);

        var refusal = Assert.IsType<StartServerResult.Refused>(result).Refusal;
        Assert.Equal(nameof(BackendException), refusal.ErrorClass);
        Assert.DoesNotContain("token-of-alice", refusal.Message);
        Assert.Null(await servers.Store.FindAsync(Key));
        Assert.Single(servers.Backend.Stopped); // what the backend created is removed
    }

    [Fact]
    public async Task RunAsync_Asynchronous_IsAcceptedAtOnce_AndRunsInTheBackground()
    {
        await using var servers = new ServersHarness(Db);
        servers.Backend.StartGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var result = await servers.Get<StartServer>().RunAsync("hub1", Body(), NoAuthState, waitForStart: false, CancellationToken.None);

        Assert.IsType<StartServerResult.Accepted>(result);
        await servers.Backend.StartEntered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ServerPhase.Starting, (await servers.Store.FindAsync(Key))!.Phase);
        servers.Backend.StartGate.SetResult();
        await servers.WaitForAsync(Key, r => r?.Phase == ServerPhase.Running);
    }

    [Fact]
    public async Task RunAsync_NameTaken_IsRefused()
    {
        await using var servers = new ServersHarness(Db);
        var start = servers.Get<StartServer>();
        await start.RunAsync("hub1", Body(), NoAuthState, waitForStart: true, CancellationToken.None);

        var result = await start.RunAsync("hub1", Body(), NoAuthState, waitForStart: true, CancellationToken.None);

        Assert.Equal("Server 'lab' of user 'alice' is already running on this Outpost; stop it first.",
            Assert.IsType<StartServerResult.Refused>(result).Refusal.Message);
    }

    private static JsonElement Body(string env = "") => Json(
        """{"name": "lab", "env": {"JUPYTERHUB_USER": "alice", "JUPYTERHUB_USER_ID": "17", "JUPYTERHUB_API_TOKEN": "token-of-alice" """
        + env + """}, "user_options": {"start_id": "s1"}, "misc": {}}""");

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
