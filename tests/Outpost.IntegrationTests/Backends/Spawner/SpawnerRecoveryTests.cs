using System.Net;
using System.Text.Json;
using Outpost.IntegrationTests.Storage;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>
/// kill -9 of the spawner host and of the Outpost (real `outpost serve` processes): every running server is adopted,
/// polls say what is true, and no server process is left that no row owns (nor a zombie).
/// </summary>
public sealed class SpawnerRecoveryTests
{
    [Fact]
    public async Task HostKilledDuringTwentyStarts_RunningServersAdopted_InterruptedStartsCleanedUp_NoOrphans()
    {
        var folder = SpawnerOutpost.NewFolder();
        // The config file is read again for every start: the first ten answer at once, the last ten settle for a while.
        string Config(double settle) => SpawnerOutpost.LocalConfig(folder, "SettlingSpawner", $"c.SettlingSpawner.settle = {settle}",
            import: "from recoveryspawners import SettlingSpawner");
        var config = Config(0);
        await using var outpost = await OutpostProcess.StartAsync(Directory.CreateTempSubdirectory("outpost-data-").FullName,
            logFile: Path.Combine(folder, "outpost.log"), extra: SpawnerOutpost.Settings(folder, config));
        using var client = outpost.Client();
        string PidFile(int i) => Path.Combine(folder, $"s{i}.pid");
        Dictionary<string, object?> Body(int i) => SpawnerOutpost.Body($"u{i}", "", $"s{i}", env: new() { ["JUPYTER_TEST_PIDFILE"] = PidFile(i) });

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(Body(i))).StatusCode);
        }
        Config(30);
        for (var i = 10; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(Body(i), async: true)).StatusCode);
        }
        var pids = new int[20];
        for (var i = 0; i < 20; i++)
        {
            pids[i] = await Processes.ReadPidAsync(PidFile(i));
        }
        // Every server process runs; the last ten starts have not answered. The host reports a running start's state
        // every 0.25 s: give it (and a loaded machine) three seconds, so the stored handles name those processes.
        await Task.Delay(3000);
        var host = HostPid(outpost.Pid);
        var keeper = Processes.ChildrenOf(outpost.Pid, "outpost_spawnerhost").Single();
        System.Diagnostics.Process.GetProcessById(host).Kill();

        for (var i = 10; i < 20; i++)
        {
            var failed = await client.PollUntilAsync($"/services//s{i}", (_, json) => json.GetProperty("status").ValueKind == JsonValueKind.Number);
            Assert.Contains(failed.GetProperty("logs").EnumerateArray(), l => l.GetString()!.Contains("spawner host ended", StringComparison.Ordinal));
            // Stopped from the state the host reported while it ran; the keeper reaps it.
            await Processes.WaitForReapedAsync(pids[i]);
        }
        for (var i = 0; i < 10; i++)
        {
            // Polled by the next host, which rebuilds each spawner from the stored state.
            var poll = await (await client.GetAsync($"/services//s{i}")).JsonAsync();
            Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);
            Assert.True(Processes.IsAlive(pids[i]), $"s{i} polls as running, so its process must run");
        }
        // The next host runs under a keeper of its own; the first keeper stays while the servers it inherited run.
        Assert.NotEqual(host, HostPid(outpost.Pid, exceptKeeper: keeper));

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.StopAsync($"/services//s{i}")).StatusCode);
        }
        foreach (var pid in pids)
        {
            await Processes.WaitForReapedAsync(pid);
        }
        // With nothing left to reap, the first keeper ends too.
        await Processes.WaitForReapedAsync(keeper);
    }

    [Fact]
    public async Task OutpostKilled_ServersRunOn_AndAreAdoptedPolledAndStoppedByTheNextOutpost()
    {
        var folder = SpawnerOutpost.NewFolder();
        var settings = SpawnerOutpost.Settings(folder, SpawnerOutpost.LocalConfig(folder));
        var dataDir = Directory.CreateTempSubdirectory("outpost-data-").FullName;
        string PidFile(int i) => Path.Combine(folder, $"k{i}.pid");
        var addresses = new string[3];
        var pids = new int[3];
        int port;
        await using (var first = await OutpostProcess.StartAsync(dataDir, extra: settings))
        {
            port = first.Port;
            using var client = first.Client();
            for (var i = 0; i < 3; i++)
            {
                var started = await client.StartAsync(SpawnerOutpost.Body($"k{i}", "", $"k{i}", env: new() { ["JUPYTER_TEST_PIDFILE"] = PidFile(i) }));
                Assert.Equal(HttpStatusCode.OK, started.StatusCode);
                addresses[i] = (await started.JsonAsync()).GetProperty("service").GetString()!;
                pids[i] = await Processes.ReadPidAsync(PidFile(i));
            }
            await first.KillAsync();
        }
        Assert.All(pids, pid => Assert.True(Processes.IsAlive(pid), "a server outlives the Outpost and its host"));
        // One server ends while no Outpost runs: the next one must not call it running.
        System.Diagnostics.Process.GetProcessById(pids[2]).Kill();
        await Processes.WaitForReapedAsync(pids[2]);

        await using var second = await OutpostProcess.StartAsync(dataDir, port, extra: settings);
        using var again = second.Client();
        for (var i = 0; i < 2; i++)
        {
            var poll = await (await again.GetAsync($"/services//k{i}")).JsonAsync();
            Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);
            Assert.Equal(HttpStatusCode.OK, await SpawnerOutpost.GetWhenUpAsync($"http://{addresses[i]}/api"));
        }
        var ended = await again.PollUntilAsync("/services//k2", (_, json) => json.GetProperty("status").ValueKind == JsonValueKind.Number);
        Assert.NotEqual(JsonValueKind.Null, ended.GetProperty("status").ValueKind);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await again.StopAsync($"/services//k{i}")).StatusCode);
        }
        await Processes.WaitForReapedAsync(pids[0]);
        await Processes.WaitForReapedAsync(pids[1]);
    }

    [Fact]
    public async Task TwoReplicasOnPostgres_StartedOnOne_PolledAndStoppedOnTheOther()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = Path.Combine(folder, "outpost_config.py");
        File.WriteAllText(config, "from recoveryspawners import FileJobSpawner\nc.JupyterHubOutpost.spawner_class = FileJobSpawner\n");
        await using var replicas = await OutpostReplicas.StartAsync(2, SpawnerOutpost.Settings(folder, config));
        using var a = replicas[0].Client();
        using var b = replicas[1].Client();
        var job = Path.Combine(folder, "job-rita-r1");

        var started = await a.StartAsync(SpawnerOutpost.Body("rita", "", "r1"));
        Assert.True(started.StatusCode == HttpStatusCode.OK, await started.Content.ReadAsStringAsync());
        Assert.True(File.Exists(job));

        // The other replica's host never saw this server: it rebuilds the spawner from the state in the database.
        var poll = await (await b.GetAsync("/services//r1")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);

        Assert.Equal(HttpStatusCode.OK, (await b.StopAsync("/services//r1")).StatusCode);
        Assert.False(File.Exists(job), "stopped through the state the first replica stored");
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync("/services//r1")).StatusCode);

        // And the other way round, with a job that ends on its own: polled on the first replica, it is over.
        Assert.Equal(HttpStatusCode.OK, (await b.StartAsync(SpawnerOutpost.Body("rita", "", "r2"))).StatusCode);
        File.Delete(Path.Combine(folder, "job-rita-r2"));
        var ended = await (await a.GetAsync("/services//r2")).JsonAsync();
        Assert.Equal(0, ended.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await a.StopAsync("/services//r2")).StatusCode);
    }

    /// <summary>The spawner host's pid: the child of the keeper the Outpost started.</summary>
    private static int HostPid(int outpostPid, int exceptKeeper = 0)
    {
        var keepers = Processes.ChildrenOf(outpostPid, "outpost_spawnerhost").Where(k => k != exceptKeeper).ToList();
        Assert.True(keepers.Count == 1, $"keepers: {string.Join(", ", keepers.Select(k => $"{k} {File.ReadAllText($"/proc/{k}/cmdline")}"))}");
        var hosts = Processes.ChildrenOf(keepers[0], "outpost_spawnerhost");
        Assert.True(hosts.Count == 1, $"hosts: {string.Join(", ", hosts.Select(k => $"{k} {File.ReadAllText($"/proc/{k}/cmdline")}"))}");
        return hosts[0];
    }

}
