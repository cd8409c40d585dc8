using System.Net;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Servers;

/// <summary>Per-hub override policy: which misc and user_options a hub may send, and with which values.</summary>
public sealed class OverridePolicyTests : IAsyncLifetime
{
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync(new()
    {
        ["Outpost:Backends:Default"] = InstantBackend.BackendName,
        [$"Outpost:Hubs:{OutpostHost.Hub1}:Misc:image:Allowed:0"] = "img-a",
        [$"Outpost:Hubs:{OutpostHost.Hub1}:Misc:image:Allowed:1"] = "img-b",
        [$"Outpost:Hubs:{OutpostHost.Hub1}:UserOptions:cpus:Min"] = "1",
        [$"Outpost:Hubs:{OutpostHost.Hub1}:UserOptions:cpus:Max"] = "4",
        [$"Outpost:Hubs:{OutpostHost.Hub1}:UserOptions:partition:Pattern"] = "[a-z]+",
        [$"Outpost:Hubs:{OutpostHost.Hub2}:AllowedUserOptions:0"] = "partition",
    }, configure: OutpostHost.WithInstantBackend(new InstantBackend()));

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    public static TheoryData<string, object?, object?, int, string?> Cases => new()
    {
        { OutpostHost.Hub1, new Dictionary<string, object> { ["image"] = "img-a" }, null, 200, null },
        { OutpostHost.Hub1, new Dictionary<string, object> { ["image"] = "img-c" }, null, 419, "misc 'image' must be one of img-a, img-b" },
        { OutpostHost.Hub2, new Dictionary<string, object> { ["image"] = "img-a" }, null, 419, "misc 'image' is not allowed for hub 'hub2'" },
        { OutpostHost.Hub1, new Dictionary<string, object> { ["port"] = 0, ["ip"] = "0.0.0.0" }, null, 200, null },
        { OutpostHost.Hub1, null, new Dictionary<string, object> { ["cpus"] = 2 }, 200, null },
        { OutpostHost.Hub1, null, new Dictionary<string, object> { ["cpus"] = 8 }, 419, "user_options 'cpus' must be between 1 and 4" },
        { OutpostHost.Hub1, null, new Dictionary<string, object> { ["partition"] = "gpu; rm -rf /" }, 419, "user_options 'partition' must match [a-z]+" },
        { OutpostHost.Hub1, null, new Dictionary<string, object> { ["anything"] = "x" }, 200, null },
        { OutpostHost.Hub2, null, new Dictionary<string, object> { ["partition"] = "batch" }, 200, null },
        { OutpostHost.Hub2, null, new Dictionary<string, object> { ["cpus"] = 2 }, 419, "user_options 'cpus' is not allowed for hub 'hub2' (allowed: partition)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_WithOverrides_FollowsTheHubsPolicy(string hub, object? misc, object? userOptions, int status, string? message)
    {
        using var client = _outpost.Client(hub);
        var name = $"p{Guid.NewGuid():N}"[..12];
        var body = StartBodies.For("paul", name, "p", misc: misc);
        foreach (var (key, value) in (Dictionary<string, object>?)userOptions ?? [])
        {
            ((Dictionary<string, object>)body["user_options"]!)[key] = value;
        }
        var response = await client.StartAsync(body);
        Assert.Equal(status, (int)response.StatusCode);
        if (message is not null)
        {
            Assert.Contains(message, (await response.JsonAsync()).GetProperty("args")[0].GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/services/{name}/p")).StatusCode);
        }
    }
}

/// <summary>An empty allow-list in a JSON configuration file means "nothing", not "the defaults".</summary>
public sealed class EmptyAllowListTests
{
    [Fact]
    public async Task JsonConfig_EmptyAllowedMisc_RefusesEvenTheDefaultKeys()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-json-").FullName;
        var file = Path.Combine(dataDir, "outpost.json");
        await File.WriteAllTextAsync(file, """{ "Outpost": { "Hubs": { "hub2": { "Password": "password-two", "AllowedMisc": [] } } } }""");
        await using var outpost = await OutpostHost.StartAsync(new() { ["config"] = file, ["Outpost:Backends:Default"] = InstantBackend.BackendName }, dataDir, OutpostHost.WithInstantBackend(new InstantBackend()));

        var refused = await outpost.Client(OutpostHost.Hub2).StartAsync(StartBodies.For("rita", "r", "r", misc: new Dictionary<string, object> { ["port"] = 0 }));
        Assert.Equal(419, (int)refused.StatusCode);
        Assert.Contains("misc 'port' is not allowed for hub 'hub2'", (await refused.JsonAsync()).GetProperty("args")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await outpost.Client(OutpostHost.Hub1).StartAsync(StartBodies.For("rita", "r", "r"))).StatusCode);
    }
}
