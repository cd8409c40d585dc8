using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Outpost.Backends.Spawner;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>The Outpost's side of the host: started on first use, started again when it dies, with a growing wait.</summary>
public sealed class SpawnerHostSupervisionTests
{
    [Fact]
    public async Task HostKilledDuringACall_TheCallFailsNamingIt_AndANewHostStartsWithoutAnyCall()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = SpawnerOutpost.TestSpawnerConfig(folder, "SlowSpawner");
        await using var host = new SpawnerHost("Spawner", Options(folder, config), NullLogger.Instance);
        var pid = await host.PidAsync(CancellationToken.None);

        var start = host.CallAsync("start", w =>
        {
            w.WriteString("server", "slow");
            w.WritePropertyName("spec");
            w.WriteRawValue("""{"hub": "h", "name": "slow", "env": {"JUPYTERHUB_USER": "sue"}}""");
        }, CancellationToken.None);
        await SpawnerOutpost.WaitForMarkAsync(folder, "slow.starting");
        Process.GetProcessById(pid).Kill();

        var failure = await Assert.ThrowsAsync<SpawnerHostUnavailableException>(() => start);
        Assert.Equal($"The spawner host (pid {pid}) ended before it answered.", failure.Message);
        // Started again after a second (it had not lived a minute) without waiting for a call: a new host appears
        // by itself, and the next host is older than the first call after the kill.
        await WaitForAnotherHostAsync(config, pid);
        var asked = DateTime.Now;
        var next = await host.PidAsync(CancellationToken.None);
        Assert.NotEqual(pid, next);
        Assert.True(Process.GetProcessById(next).StartTime < asked, "the host was started only when asked for");
    }

    [Fact]
    public async Task HostWhoseEventLoopIsBlocked_IsKilledAndStartedAgain_ButASlowSpawnerCallIsNot()
    {
        var folder = SpawnerOutpost.NewFolder();
        await using var host = new SpawnerHost("Spawner", Options(folder, SpawnerOutpost.TestSpawnerConfig(folder, "BlockingSpawner")), NullLogger.Instance);
        var spec = (Action<System.Text.Json.Utf8JsonWriter>)(w =>
        {
            w.WriteString("server", "b");
            w.WritePropertyName("spec");
            w.WriteRawValue("""{"hub": "h", "name": "b", "env": {"JUPYTERHUB_USER": "bo"}}""");
        });
        await host.CallAsync("start", spec, CancellationToken.None);
        var pid = await host.PidAsync(CancellationToken.None);

        var hung = await Assert.ThrowsAsync<SpawnerHostUnavailableException>(() => host.CallAsync("poll", spec, TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.Equal("The spawner host did not answer 'poll' within 2 s.", hung.Message);
        await Processes.WaitForExitAsync(pid);
        Assert.NotEqual(pid, await host.PidAsync(CancellationToken.None));

        // A spawner call that is only slow (it awaits) leaves a host that still answers alone.
        await host.CallAsync("start", spec, CancellationToken.None);
        var next = await host.PidAsync(CancellationToken.None);
        var slow = (Action<System.Text.Json.Utf8JsonWriter>)(w =>
        {
            w.WriteString("server", "s");
            w.WritePropertyName("spec");
            w.WriteRawValue("""{"hub": "h", "name": "s", "env": {"JUPYTERHUB_USER": "bo"}, "misc": {"delay": 30}}""");
        });
        await Assert.ThrowsAsync<SpawnerHostUnavailableException>(() => host.CallAsync("start", slow, TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.True(Processes.IsAlive(next), "a host that answers a ping is not killed");
        Assert.Equal(next, await host.PidAsync(CancellationToken.None));
    }

    [Fact]
    public async Task HostWithAPythonErrorAtStartUp_TheCallSaysWhatItWrote()
    {
        var folder = SpawnerOutpost.NewFolder();
        var options = Options(folder, SpawnerOutpost.TestSpawnerConfig(folder, "RecordingSpawner"));
        options.HostPath = folder; // no outpost_spawnerhost package there
        await using var host = new SpawnerHost("Spawner", options, NullLogger.Instance);
        var failure = await Assert.ThrowsAsync<SpawnerHostUnavailableException>(() => host.CallAsync("hello", null, CancellationToken.None));
        Assert.StartsWith("The spawner host did not start (/usr/bin/python3 -m outpost_spawnerhost): it ended before it answered; its last output: ", failure.Message);
        Assert.Contains("No module named outpost_spawnerhost", failure.Message);
    }

    [Fact]
    public async Task HostThatCannotStart_EachCallFailsClearly_AndTheWaitBeforeTheNextTryDoubles()
    {
        var folder = SpawnerOutpost.NewFolder();
        var options = Options(folder, SpawnerOutpost.TestSpawnerConfig(folder, "RecordingSpawner"));
        options.Python = "/bin/false";
        options.MaxRestartDelaySeconds = 2;
        await using var host = new SpawnerHost("Spawner", options, NullLogger.Instance);

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAsync<SpawnerHostUnavailableException>(() => host.CallAsync("hello", null, CancellationToken.None));
            waits.Add(watch.Elapsed);
            Assert.Equal("The spawner host did not start (/bin/false -m outpost_spawnerhost): it ended before it answered", failure.Message);
        }
        Assert.True(waits[0] < TimeSpan.FromSeconds(1), $"the first try waits for nothing ({waits[0]})");
        Assert.InRange(waits[1].TotalSeconds, 0.9, 10);
        Assert.InRange(waits[2].TotalSeconds, 1.9, 10);
        Assert.InRange(waits[3].TotalSeconds, 1.9, 10); // capped at MaxRestartDelaySeconds
    }

    /// <summary>
    /// Waits until a spawner host other than <paramref name="old"/> runs with <paramref name="config"/>: a process of
    /// that command line whose parent, its keeper, runs it too (the keeper is this test process's child).
    /// </summary>
    private static async Task WaitForAnotherHostAsync(string config, int old)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Processes.ChildrenOf(Environment.ProcessId, config).Any(keeper => Processes.ChildrenOf(keeper, config).Any(h => h != old && Processes.IsAlive(h))))
        {
            Assert.True(DateTime.UtcNow < deadline, "no new spawner host started within 30 s");
            await Task.Delay(50);
        }
    }

    private static SpawnerBackendOptions Options(string folder, string configFile) => new()
    {
        ConfigFile = configFile,
        PythonPath = [SpawnerOutpost.Assets],
        Environment = { ["SPAWNERHOST_TEST_DIR"] = folder },
        LogLevel = "WARNING",
    };
}
