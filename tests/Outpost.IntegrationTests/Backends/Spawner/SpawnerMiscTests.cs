using System.Diagnostics;
using System.Net;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>A hub's misc overrides: the hub's policy first, then the spawner's traits, which must accept the value.</summary>
public sealed class SpawnerMiscTests : IAsyncLifetime
{
    private readonly string _folder = SpawnerOutpost.NewFolder();
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync()
    {
        var settings = SpawnerOutpost.Settings(_folder, SpawnerOutpost.TestSpawnerConfig(_folder, "SlowSpawner", "c.SlowSpawner.delay = 30"));
        settings[$"Outpost:Hubs:{OutpostHost.Hub1}:AllowedMisc:0"] = "port";
        settings[$"Outpost:Hubs:{OutpostHost.Hub1}:AllowedMisc:1"] = "delay";
        _outpost = await OutpostHost.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    public static TheoryData<string, string, object, string> Refused => new()
    {
        { OutpostHost.Hub1, "m1", new Dictionary<string, object> { ["image"] = "mine" }, "misc 'image' is not allowed for hub 'hub1'" },
        { OutpostHost.Hub2, "m2", new Dictionary<string, object> { ["delay"] = 0.1 }, "misc 'delay' is not allowed for hub 'hub2'" },
        { OutpostHost.Hub1, "m3", new Dictionary<string, object> { ["port"] = "abc" }, "misc key 'port'" },
        { OutpostHost.Hub1, "m4", new Dictionary<string, object> { ["delay"] = new Dictionary<string, object> { ["seconds"] = 1 } }, "misc key 'delay'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Start_MiscTheHubMayNotSend_OrTheSpawnerRefuses_Answers419NamingTheKey(string hub, string name, object misc, string message)
    {
        using var client = _outpost.Client(hub);
        var body = SpawnerOutpost.Body("mia", name, "x");
        body["misc"] = misc;

        var refusal = await SpawnerOutpost.RefusalAsync(await client.StartAsync(body));

        Assert.Contains(message, refusal);
        Assert.False(File.Exists(Path.Combine(_folder, $"{name}.starting")), "the spawner was started all the same");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/services/{name}/x")).StatusCode);
    }

    [Fact]
    public async Task Start_AllowedMisc_SetsTheSpawnersTraits()
    {
        using var client = _outpost.Client();
        var port = SpawnerOutpost.FreePort();
        var body = SpawnerOutpost.Body("mia", "quick", "q");
        body["misc"] = new Dictionary<string, object> { ["delay"] = 0.2, ["port"] = port };

        var watch = Stopwatch.StartNew();
        var started = await client.StartAsync(body);

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}: the configured 30 s delay was used");
        Assert.Equal($"127.0.0.1:{port}", (await started.JsonAsync()).GetProperty("service").GetString());
        Assert.True(File.Exists(Path.Combine(_folder, "quick.started")));
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/quick/q")).StatusCode);
    }
}
