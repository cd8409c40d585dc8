using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>The spawner's get_state() is stored as it changes, and rebuilds the spawner in the next host.</summary>
public sealed class SpawnerStateTests
{
    [Fact]
    public async Task StateSpawner_StateIsStored_UpdatedByPolls_AndSurvivesAKilledHost()
    {
        var folder = SpawnerOutpost.NewFolder();
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "StateSpawner")));
        using var client = outpost.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(SpawnerOutpost.Body("sam", "job", "j1"))).StatusCode);
        Assert.Equal("""{"job_id":"job-job-j1","polls":0}""", (await SpawnerOutpost.StoredStateAsync(outpost, "job", "j1")).GetRawText());

        await PollRunningAsync(client);
        Assert.Equal("""{"job_id":"job-job-j1","polls":1}""", (await SpawnerOutpost.StoredStateAsync(outpost, "job", "j1")).GetRawText());

        var backend = SpawnerOutpost.Backend(outpost);
        var killed = await backend.HostPidAsync(CancellationToken.None);
        Process.GetProcessById(killed).Kill();
        await SpawnerOutpost.WaitUntilAsync(async () => await backend.HostPidAsync(CancellationToken.None) != killed, "a new spawner host");

        // The new host has never seen this server: it rebuilds the spawner from the stored state, whose counter goes on.
        await PollRunningAsync(client);
        Assert.Equal("""{"job_id":"job-job-j1","polls":2}""", (await SpawnerOutpost.StoredStateAsync(outpost, "job", "j1")).GetRawText());

        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/job/j1")).StatusCode);
        Assert.Equal("job-job-j1\n", await SpawnerOutpost.WaitForMarkAsync(folder, "job.stopped"));
        Assert.False(File.Exists(Path.Combine(folder, "job-job-j1.job")), "the job is still queued");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/job/j1")).StatusCode);
    }

    private static async Task PollRunningAsync(HttpClient client)
    {
        using var poll = await client.GetAsync("/services/job/j1");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await poll.JsonAsync()).GetProperty("status").ValueKind);
    }
}
