using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>JupyterHub's own LocalProcessSpawner, through the spawner backend, runs Debian's real jupyterhub-singleuser.</summary>
public sealed class SpawnerSingleUserTests
{
    [Fact]
    public async Task LocalProcessSpawner_RealSingleUserServer_AnswersItsApiAtTheServiceAddress_AndIsStopped()
    {
        Assert.True(File.Exists("/usr/bin/jupyterhub-singleuser"), "Debian's jupyterhub package must be installed");
        // jupyterhub-singleuser asks the hub API for its version on start-up: the fake hub answers it.
        await using var hub = await FakeHub.StartAsync();
        var folder = SpawnerOutpost.NewFolder();
        var config = Path.Combine(folder, "outpost_config.py");
        await File.WriteAllTextAsync(config, """
            from jupyterhub.spawner import LocalProcessSpawner

            c.JupyterHubOutpost.spawner_class = LocalProcessSpawner
            c.LocalProcessSpawner.ip = "127.0.0.1"
            c.LocalProcessSpawner.args = ["--allow-root"]
            c.LocalProcessSpawner.interrupt_timeout = 3
            c.LocalProcessSpawner.term_timeout = 5
            """);
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, config));
        using var client = outpost.Client();
        var port = SpawnerOutpost.FreePort();
        var body = SpawnerOutpost.Body("root", "", "r1", hub, new()
        {
            ["JUPYTERHUB_CLIENT_ID"] = "jupyterhub-user-root",
            ["JUPYTERHUB_BASE_URL"] = "/",
            ["JUPYTERHUB_OAUTH_CALLBACK_URL"] = "/user/root/oauth_callback",
        }, port);

        try
        {
            await StartReachAndStopAsync(outpost, client, body, port);
        }
        finally
        {
            // A real server process: a failed assertion must not leave it running.
            await client.StopAsync("/services//r1");
        }
    }

    private static async Task StartReachAndStopAsync(OutpostHost outpost, HttpClient client, Dictionary<string, object?> body, int port)
    {
        var started = await client.StartAsync(body);
        var text = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.OK, text);
        var service = JsonDocument.Parse(text).RootElement.GetProperty("service").GetString();
        Assert.Equal($"127.0.0.1:{port}", service);
        var pid = (await SpawnerOutpost.StoredStateAsync(outpost, "", "r1")).GetProperty("pid").GetInt32();
        Assert.True(Processes.IsAlive(pid));

        Assert.Equal(HttpStatusCode.OK, await SpawnerOutpost.GetWhenUpAsync($"http://{service}/user/root/api"));
        using var server = new HttpClient();
        var api = await server.GetFromJsonAsync<JsonElement>($"http://{service}/user/root/api");
        Assert.False(string.IsNullOrEmpty(api.GetProperty("version").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services//r1")).StatusCode);
        await Processes.WaitForExitAsync(pid);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services//r1")).StatusCode);
    }
}
