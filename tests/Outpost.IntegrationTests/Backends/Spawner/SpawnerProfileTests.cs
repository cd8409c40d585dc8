using System.Net;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>Two spawner backends side by side, each with its own host and config file, chosen by profile.</summary>
public sealed class SpawnerProfileTests
{
    [Fact]
    public async Task Start_WithProfile_RunsOnItsSpawnerBackend_WithoutOnTheDefault()
    {
        var folder = SpawnerOutpost.NewFolder();
        var batchFolder = SpawnerOutpost.NewFolder();
        var settings = SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "RecordingSpawner"));
        settings["Outpost:Backends:Batch:Type"] = "Spawner";
        settings["Outpost:Backends:Batch:ConfigFile"] = SpawnerOutpost.TestSpawnerConfig(batchFolder, "StateSpawner");
        settings["Outpost:Backends:Batch:PythonPath:0"] = SpawnerOutpost.Assets;
        settings["Outpost:Backends:Batch:Environment:SPAWNERHOST_TEST_DIR"] = batchFolder;
        settings["Outpost:Backends:Batch:LogLevel"] = "WARNING";
        settings["Outpost:Profiles:batch:Backend"] = "Batch";
        await using var outpost = await OutpostHost.StartAsync(settings);
        using var client = outpost.Client();

        var batchBody = SpawnerOutpost.Body("bea", "onbatch", "b1");
        ((Dictionary<string, object>)batchBody["user_options"]!)["profile"] = "batch";
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(batchBody)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(SpawnerOutpost.Body("bea", "ondefault", "d1"))).StatusCode);

        Assert.True(File.Exists(Path.Combine(batchFolder, "onbatch.started")));
        Assert.True(File.Exists(Path.Combine(batchFolder, "job-onbatch-b1.job")), "not started by the batch backend's StateSpawner");
        Assert.False(File.Exists(Path.Combine(folder, "onbatch.started")));
        Assert.True(File.Exists(Path.Combine(folder, "ondefault.started")));
        Assert.False(File.Exists(Path.Combine(batchFolder, "ondefault.started")));

        var listed = (await (await client.GetAsync("/services")).JsonAsync()).EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("backend").GetString());
        Assert.Equal("Batch", listed["onbatch"]);
        Assert.Equal("Spawner", listed["ondefault"]);
        Assert.NotEqual(
            await SpawnerOutpost.Backend(outpost, "Batch").HostPidAsync(CancellationToken.None),
            await SpawnerOutpost.Backend(outpost).HostPidAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/onbatch/b1")).StatusCode);
        Assert.Equal("job-onbatch-b1\n", await File.ReadAllTextAsync(Path.Combine(batchFolder, "onbatch.stopped")));
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/ondefault/d1")).StatusCode);
        Assert.True(File.Exists(Path.Combine(folder, "ondefault.stopped")));
    }
}
