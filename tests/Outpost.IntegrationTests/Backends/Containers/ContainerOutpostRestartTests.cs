using System.Net;
using System.Text.Json;
using Outpost.Backends.Containers;
using Outpost.Backends.Containers.Docker;
using Outpost.Backends.Containers.Docker.Models;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary>
/// A real Outpost process (the Native AOT binary under scripts/test) on the container backend: it removes a labelled
/// container no server owns, and after a SIGKILL the next Outpost adopts the running container and stops it.
/// </summary>
[Collection(PodmanCollection.Name)]
public sealed class ContainerOutpostRestartTests(PodmanEngine engine)
{
    [Fact]
    public async Task OrphanRemoved_KillMinus9_RunningContainerAdopted_ThenStopped()
    {
        var instance = engine.Instance + "-outpost";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var orphan = $"outpost-orphan-{Environment.ProcessId}";
        await engine.Client.CreateContainerAsync(orphan, new DockerContainerCreate
        {
            Image = engine.Image,
            Cmd = ["/usr/bin/sleep", "600"],
            Env = [],
            Labels = new Dictionary<string, string> { [ContainerLabels.Instance] = instance, [ContainerLabels.Hub] = "gone-hub" },
            HostConfig = new DockerHostConfig { NetworkMode = "none" },
        }, timeout.Token);
        var settings = new Dictionary<string, string>
        {
            ["Outpost:Backends:Default"] = "Containers",
            ["Outpost:Backends:Containers:Endpoint"] = engine.Endpoint,
            ["Outpost:Backends:Containers:Image"] = engine.Image,
            ["Outpost:Backends:Containers:InstanceName"] = instance,
            ["Outpost:Backends:Containers:Command:0"] = "/usr/bin/python3",
            ["Outpost:Backends:Containers:Command:1"] = "/opt/fake_singleuser.py",
            ["Outpost:Backends:Containers:User"] = "1000:1000",
            ["Outpost:Backends:Containers:StopGraceSeconds"] = "2",
            ["Outpost:Backends:Containers:OrphanGraceSeconds"] = "1",
            ["Outpost:Replicas:OrphanSweepSeconds"] = "1",
        };
        await using var hub = await FakeHub.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("outpost-containers-restart-").FullName;
        string address, container;
        int port;
        await using (var first = await OutpostProcess.StartAsync(dataDir, extra: settings))
        {
            port = first.Port;
            using var client = first.Client();
            var started = await client.StartAsync(StartBodies.For("zed", "", "z", hub));
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
            address = (await started.JsonAsync()).GetProperty("service").GetString()!;
            var running = await engine.Client.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.Instance] = instance, [ContainerLabels.User] = "zed" }, timeout.Token);
            container = Assert.Single(running).Names![0].TrimStart('/');
            while (await engine.Client.InspectContainerAsync(orphan, timeout.Token) is not null)
            {
                await Task.Delay(100, timeout.Token); // the leader's sweep removes it within a second or two
            }
            await first.KillAsync();
        }

        Assert.True((await engine.Client.InspectContainerAsync(container, timeout.Token))!.State!.Running, "the server's container outlives the Outpost");
        await using var second = await OutpostProcess.StartAsync(dataDir, port, extra: settings);
        using var again = second.Client();
        var poll = await (await again.GetAsync("/services//z")).JsonAsync();
        Assert.Equal(JsonValueKind.Null, poll.GetProperty("status").ValueKind);
        using (var server = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            Assert.Equal(HttpStatusCode.OK, (await server.GetAsync($"http://{address}/api", timeout.Token)).StatusCode);
        }

        var stopped = await again.StopAsync("/services//z?collect_logs=true");
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Contains((await stopped.JsonAsync()).GetProperty("logs").EnumerateArray(), l => l.GetString() == "fake server starting for zed");
        Assert.Null(await engine.Client.InspectContainerAsync(container, timeout.Token));
        Directory.Delete(dataDir, recursive: true);
    }
}
