using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Outpost.Backends;
using Outpost.Backends.Containers;
using Outpost.IntegrationTests.Backends.Shared;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary>
/// A start that pulls: the test image is pushed to a local registry (docker-registry from Debian, plain HTTP on
/// 127.0.0.1) and the backend pulls it under PullPolicy Always, relaying the engine's pull messages as progress.
/// </summary>
[Collection(PodmanCollection.Name)]
public sealed class ContainerPullTests(PodmanEngine engine) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("outpost-containers-registry-").FullName;
    private Process? _registry;

    private string Image => $"127.0.0.1:{engine.RegistryPort}/outpost-pull-test:{Environment.ProcessId}";

    public async Task InitializeAsync()
    {
        var config = Path.Combine(_dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {_dir}/data
            http:
              addr: 127.0.0.1:{engine.RegistryPort}
            """);
        var start = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        _registry = Process.Start(start)!;
        _registry.OutputDataReceived += (_, _) => { };
        _registry.ErrorDataReceived += (_, _) => { };
        _registry.BeginOutputReadLine();
        _registry.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, engine.RegistryPort);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_registry.HasExited)
            {
                await Task.Delay(50);
            }
        }
        Assert.Equal(0, await engine.RunAsync("podman", "push", "--tls-verify=false", engine.Image, Image));
        Assert.NotEqual(0, await engine.RunAsync("podman", "image", "exists", Image)); // not here: the start must pull it
    }

    public async Task DisposeAsync()
    {
        await engine.RunAsync("podman", "rmi", "-f", Image);
        if (_registry is { HasExited: false })
        {
            _registry.Kill();
            await _registry.WaitForExitAsync();
        }
        _registry?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Start_PullPolicyAlways_PullsWithProgress_ThenServes()
    {
        var backend = engine.Backend(o =>
        {
            o.Image = Image;
            o.PullPolicy = ContainerPullPolicy.Always;
        });
        var key = new ServerKey("hub1", "", "pull");
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "pull",
            Env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "gus", ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/gus/" },
        };
        var work = Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName;
        var context = new RecordingStartContext();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var result = await backend.StartAsync(new BackendStartRequest(key, spec, ResourceNames.ForServer(key, "gus") + "-" + Environment.ProcessId, work), context, timeout.Token);

        var messages = context.Messages.ToList();
        Assert.Equal($"Pulling image {Image}.", messages[0]);
        Assert.Contains(messages, m => m.StartsWith($"Pulling image {Image}: ", StringComparison.Ordinal));
        Assert.Contains($"Image {Image} pulled.", messages);
        Assert.NotNull(await engine.Client.InspectImageAsync(Image, timeout.Token));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://{result.ServiceAddress}/user/gus/api", timeout.Token)).StatusCode);
        await backend.StopAsync(result.Handle, timeout.Token);
    }
}
