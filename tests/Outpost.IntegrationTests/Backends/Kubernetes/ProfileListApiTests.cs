using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>The profile list over HTTP: what each hub sees at GET /profiles, and a start choosing a profile and options.</summary>
public sealed class ProfileListApiTests : IAsyncLifetime
{
    private FakeKubeApiServer _server = null!;
    private string _kubeconfig = null!;
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeKubeApiServer.StartAsync();
        _kubeconfig = _server.WriteKubeconfig("jhub");
        const string K = "Outpost:Backends:Kubernetes";
        _outpost = await OutpostHost.StartAsync(new()
        {
            ["Outpost:Backends:Default"] = "Kubernetes",
            [$"{K}:KubeConfigPath"] = _kubeconfig,
            [$"{K}:Pod:Image"] = "nb:base",
            [$"{K}:ProfileList:0:DisplayName"] = "Small",
            [$"{K}:ProfileList:0:Slug"] = "small",
            [$"{K}:ProfileList:0:KubespawnerOverride:cpu_limit"] = "1",
            [$"{K}:ProfileList:1:DisplayName"] = "GPU",
            [$"{K}:ProfileList:1:Slug"] = "gpu",
            [$"{K}:ProfileList:1:Hubs:0"] = OutpostHost.Hub1,
            [$"{K}:ProfileList:1:KubespawnerOverride:node_selector:pool"] = "gpu",
            [$"{K}:ProfileList:1:ProfileOptions:image:DisplayName"] = "Image",
            [$"{K}:ProfileList:1:ProfileOptions:image:Choices:tf:DisplayName"] = "TensorFlow",
            [$"{K}:ProfileList:1:ProfileOptions:image:Choices:tf:KubespawnerOverride:image"] = "nb:tf",
        });
    }

    public async Task DisposeAsync()
    {
        await _outpost.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task GetProfiles_EachHubSeesItsOwn()
    {
        var one = JsonNode.Parse(await _outpost.Client(OutpostHost.Hub1).GetStringAsync("/profiles"))!;
        var two = JsonNode.Parse(await _outpost.Client(OutpostHost.Hub2).GetStringAsync("/profiles/"))!;

        Assert.Equal(["small", "gpu"], one["profile_list"]!.AsArray().Select(p => p!["slug"]!.GetValue<string>()));
        Assert.Equal("TensorFlow", one["profile_list"]![1]!["profile_options"]!["image"]!["choices"]!["tf"]!["display_name"]!.GetValue<string>());
        Assert.Null(one["profile_list"]![1]!["kubespawner_override"]);
        Assert.Equal(["small"], two["profile_list"]!.AsArray().Select(p => p!["slug"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(OutpostHost.Hub1, "gpu", "tf2", "body.user_options.image", "'tf2' is not a choice of 'image' in profile 'gpu' (choices: tf).")]
    [InlineData(OutpostHost.Hub2, "gpu", "tf", "body.user_options.profile", "'gpu' is not a profile this hub may use (profiles: small).")]
    public async Task Start_UnknownProfileOrChoice_Is422NamingTheField(string hub, string profile, string image, string loc, string message)
    {
        var body = Body(profile, image);

        using var response = await _outpost.Client(hub).StartAsync(body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.AsArray())!;
        Assert.Equal(loc, string.Join('.', detail["loc"]!.AsArray().Select(p => p!.GetValue<string>())));
        Assert.Equal(message, detail["msg"]!.GetValue<string>());
        Assert.DoesNotContain(_server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Start_ChosenProfileAndOption_BuildThePod()
    {
        _server.StartPodsAutomatically();

        using var response = await _outpost.Client(OutpostHost.Hub1).StartAsync(Body("gpu", "tf"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pod = _server.Get("pods", "jhub", Assert.Single(_server.Names("pods", "jhub")))!;
        Assert.Equal("nb:tf", pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("""{"pool":"gpu"}""", pod["spec"]!["nodeSelector"]!.ToJsonString());
    }

    private static Dictionary<string, object?> Body(string profile, string image)
    {
        var body = StartBodies.For("alice", misc: new Dictionary<string, object>());
        body["user_options"] = new Dictionary<string, object> { ["start_id"] = "s1", ["profile"] = profile, ["image"] = image };
        return body;
    }
}
