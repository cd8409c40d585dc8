using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>Stopping through the spawner: during a start, and a spawner whose stop() leaves the server running.</summary>
public sealed class SpawnerStopTests
{
    [Fact]
    public async Task Stop_DuringAsyncStart_CancelsTheSpawnersStart_StopsIt_AndRemovesTheServer()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = SpawnerOutpost.TestSpawnerConfig(folder, "SlowSpawner", "c.SlowSpawner.delay = 30");
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, config));
        using var client = outpost.Client();

        Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(SpawnerOutpost.Body("sue", "slow", "s1"), async: true)).StatusCode);
        await SpawnerOutpost.WaitForMarkAsync(folder, "slow.starting");

        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/slow/s1")).StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the stop took {watch.Elapsed}: the start was not cancelled");
        Assert.True(File.Exists(Path.Combine(folder, "slow.cancelled")), "the spawner's start was not cancelled");
        Assert.StartsWith("now=False\n", await File.ReadAllTextAsync(Path.Combine(folder, "slow.stopped")));
        Assert.False(File.Exists(Path.Combine(folder, "slow.started")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/slow/s1")).StatusCode);
    }

    [Fact]
    public async Task Stop_SpawnerThatKeepsRunning_IsRefusedWithTheReason_AndTheServerStaysListed()
    {
        var folder = SpawnerOutpost.NewFolder();
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "UnstoppableSpawner")));
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(SpawnerOutpost.Body("una", "stuck", "u1"))).StatusCode);

        var refusal = await SpawnerOutpost.RefusalAsync(await client.StopAsync("/services/stuck/u1"));
        Assert.Equal("The spawner's stop() returned, but its poll() says the server still runs; it was not removed.", refusal);
        // Asked once, then once more with now=True, before giving up.
        Assert.Equal("job-stuck-u1 now=False\njob-stuck-u1 now=True\n", await File.ReadAllTextAsync(Path.Combine(folder, "stuck.stopped")));

        var listed = (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray().Single(s => s.GetProperty("name").GetString() == "stuck");
        Assert.Equal("stopping", listed.GetProperty("phase").GetString());
        using (var poll = await client.GetAsync("/services/stuck/u1"))
        {
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            Assert.Equal(JsonValueKind.Null, (await poll.JsonAsync()).GetProperty("status").ValueKind);
        }

        // Once the job is really gone (an operator cancelled it), the next stop succeeds.
        File.Delete(Path.Combine(folder, "job-stuck-u1.job"));
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/stuck/u1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/stuck/u1")).StatusCode);
    }
}
