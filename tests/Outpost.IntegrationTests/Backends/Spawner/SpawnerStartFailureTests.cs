using System.Net;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>A start that fails or takes too long answers 419 with the reason and leaves nothing behind.</summary>
public sealed class SpawnerStartFailureTests
{
    [Fact]
    public async Task SyncStart_SlowerThanTheStartTimeout_Answers419_AndTheSpawnerIsCancelledAndStopped()
    {
        var folder = SpawnerOutpost.NewFolder();
        var settings = SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "SlowSpawner", "c.SlowSpawner.delay = 30"));
        settings["Outpost:StartTimeoutSeconds"] = "5";
        await using var outpost = await OutpostHost.StartAsync(settings);
        using var client = outpost.Client();
        // The host up and its config loaded first, so the 5 s go to the spawner's start even on a loaded machine.
        await SpawnerOutpost.Backend(outpost).CheckConfigAsync(CancellationToken.None);

        var refusal = await SpawnerOutpost.RefusalAsync(await client.StartAsync(SpawnerOutpost.Body("tim", "late", "t1")));

        Assert.Equal("The server did not start within 5 s.", refusal);
        Assert.True(File.Exists(Path.Combine(folder, "late.starting")), "the spawner's start never ran");
        Assert.True(File.Exists(Path.Combine(folder, "late.cancelled")), "the spawner's start was not cancelled");
        Assert.True(File.Exists(Path.Combine(folder, "late.stopped")), "the spawner was not stopped");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/late/t1")).StatusCode);
    }

    [Fact]
    public async Task SyncStart_SpawnerRaises_Answers419WithItsMessage_AndNothingStays()
    {
        var folder = SpawnerOutpost.NewFolder();
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "FailingSpawner")));
        using var client = outpost.Client();

        var refusal = await SpawnerOutpost.RefusalAsync(await client.StartAsync(SpawnerOutpost.Body("fay", "full", "f1")));

        Assert.Equal("the batch system refused full: quota exceeded", refusal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/full/f1")).StatusCode);
        Assert.Equal(0, (await (await client.GetAsync("/services")).JsonAsync()).GetArrayLength());
    }
}
