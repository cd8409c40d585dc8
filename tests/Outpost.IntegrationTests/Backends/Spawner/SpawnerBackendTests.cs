using System.Net;
using System.Text.Json;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>The spawner backend in an in-process Outpost, with JupyterHub's own spawners and the test spawner classes.</summary>
public sealed class SpawnerBackendTests
{
    [Fact]
    public async Task SimpleLocalProcessSpawner_StartsAServer_ReachedAtItsAddress_PolledAndStopped()
    {
        var folder = SpawnerOutpost.NewFolder();
        var pidFile = Path.Combine(folder, "server.pid");
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, SpawnerOutpost.LocalConfig(folder)));
        using var client = outpost.Client();

        var started = await client.StartAsync(SpawnerOutpost.Body("alice", "", "a1", env: new() { ["JUPYTER_TEST_PIDFILE"] = pidFile }));
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var address = (await started.JsonAsync()).GetProperty("service").GetString()!;
        Assert.StartsWith("127.0.0.1:", address);
        // As JupyterHub does, wait for the server to answer: the spawner's start returns once the process runs.
        Assert.Equal(HttpStatusCode.OK, await SpawnerOutpost.GetWhenUpAsync($"http://{address}/api"));
        var pid = await Processes.ReadPidAsync(pidFile);

        var poll = await (await client.GetAsync("/services//a1")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);

        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services//a1")).StatusCode);
        await Processes.WaitForExitAsync(pid);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services//a1")).StatusCode);
    }
}
