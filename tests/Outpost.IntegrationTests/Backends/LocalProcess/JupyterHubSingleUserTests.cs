using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Backends.LocalProcess;

/// <summary>The local backend runs Debian's real jupyterhub-singleuser, reachable at the returned address.</summary>
public sealed class JupyterHubSingleUserTests
{
    [Fact]
    public async Task Start_RealSingleUserServer_AnswersApiThroughTheReturnedAddress()
    {
        Assert.True(File.Exists("/usr/bin/jupyterhub-singleuser"), "Debian's jupyterhub package must be installed (the test script installs it)");
        await using var hub = await FakeHub.StartAsync();
        await using var outpost = await OutpostHost.StartAsync(new()
        {
            ["Outpost:Backends:Local:Command:0"] = "/usr/bin/jupyterhub-singleuser",
            ["Outpost:Backends:Local:Args:0"] = "--allow-root",
        });
        using var client = outpost.Client();
        var body = StartBodies.For("alice", "", "real", hub, new()
        {
            ["JUPYTERHUB_CLIENT_ID"] = "jupyterhub-user-alice",
            ["JUPYTERHUB_SINGLEUSER_APP"] = "notebook.notebookapp.NotebookApp",
        });
        var start = await client.StartAsync(body);
        var text = await start.Content.ReadAsStringAsync();
        Assert.True(start.StatusCode == HttpStatusCode.OK, text);
        var service = JsonDocument.Parse(text).RootElement.GetProperty("service").GetString();
        using var server = new HttpClient();
        var api = await server.GetFromJsonAsync<JsonElement>($"http://{service}/user/alice/api");
        Assert.False(string.IsNullOrEmpty(api.GetProperty("version").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services//real")).StatusCode);
    }
}
