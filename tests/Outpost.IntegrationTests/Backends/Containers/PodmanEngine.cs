using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Backends.Containers;
using Outpost.Backends.Containers.Docker;

namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary>
/// A real Podman (Debian) with its Docker-compatible API on a private Unix socket, shared by the container tests: the
/// runtime is runc with lower ulimits (a private CONTAINERS_CONF; crun and the default limits fail on this machine),
/// and a tiny local image with python3 and the fake single-user server, imported from host binaries (no registry).
/// The image is tagged by the hash of what goes into it and kept, so the next run skips the import.
/// </summary>
public sealed class PodmanEngine : IAsyncLifetime
{
    private Process? _service;

    public string Work { get; } = Directory.CreateTempSubdirectory("outpost-containers-").FullName;

    public string Socket => Path.Combine(Work, "podman.sock");

    public string Endpoint => $"unix://{Socket}";

    /// <summary>
    /// This run's instance name: labels on every container the tests make, so cleanup finds only ours (tests that need
    /// an engine to themselves use it with the suffix "-sweep" or "-outpost").
    /// </summary>
    public string Instance { get; } = $"containers-test-{Environment.ProcessId}";

    public string Image { get; private set; } = "";

    public DockerClient Client { get; private set; } = null!;

    public string ConfigFile => Path.Combine(Work, "containers.conf");

    /// <summary>
    /// A port for a local registry (docker-registry from Debian) that a test may start: the engine is told at its start
    /// that plain HTTP is fine there, since no other registry can be reached from this machine.
    /// </summary>
    public int RegistryPort { get; } = FreePort();

    private string RegistriesFile => Path.Combine(Work, "registries.conf");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigFile, """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            """);
        await File.WriteAllTextAsync(RegistriesFile, $"""
            [[registry]]
            location = "127.0.0.1:{RegistryPort}"
            insecure = true
            """);
        var script = Path.Combine(AppContext.BaseDirectory, "Assets", "containers", "make-test-image.sh");
        var hash = Convert.ToHexStringLower(SHA256.HashData(
            (await File.ReadAllBytesAsync(script)).Concat(await File.ReadAllBytesAsync(OutpostHost.FakeServerScript)).ToArray()))[..12];
        Image = $"localhost/outpost-containers-test:{hash}";
        if (await PodmanAsync("image", "exists", Image) != 0)
        {
            var code = await RunAsync(script, Work, Image, OutpostHost.FakeServerScript);
            Assert.True(code == 0, $"make-test-image.sh failed with {code}; see {Work}");
        }
        var start = new ProcessStartInfo("podman") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "system", "service", "--time=0", Endpoint })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CONTAINERS_CONF"] = ConfigFile;
        start.Environment["CONTAINERS_REGISTRIES_CONF"] = RegistriesFile;
        _service = Process.Start(start)!;
        _service.OutputDataReceived += (_, _) => { };
        _service.ErrorDataReceived += (_, _) => { };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        Client = new DockerClient(Endpoint, "v1.41", TimeSpan.FromSeconds(60));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if (await Client.PingAsync(CancellationToken.None) == "OK")
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException)
            {
                // not up yet
            }
            Assert.False(_service.HasExited, "podman system service exited");
            Assert.True(DateTime.UtcNow < deadline, "podman system service did not answer within 60 s");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
        {
            try
            {
                foreach (var instance in new[] { Instance, Instance + "-sweep", Instance + "-outpost" })
                {
                    foreach (var container in await Client.ListContainersAsync(new Dictionary<string, string> { ["org.jupyterhub.outpost.instance"] = instance }, CancellationToken.None))
                    {
                        await Client.RemoveContainerAsync(container.Id, CancellationToken.None);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException)
            {
                // the service is gone already; nothing more to clean through it
            }
            Client.Dispose();
        }
        foreach (var volume in CreatedVolumes)
        {
            await PodmanAsync("volume", "rm", "-f", volume);
        }
        if (_service is { HasExited: false })
        {
            _service.Kill();
            await _service.WaitForExitAsync();
        }
        _service?.Dispose();
        Directory.Delete(Work, recursive: true);
    }

    /// <summary>Volumes a test made (by template), removed at the end.</summary>
    public List<string> CreatedVolumes { get; } = [];

    /// <summary>
    /// A container backend on this engine that runs the test image's fake single-user server as uid 1000, with the
    /// options validated as at start-up; <paramref name="configure"/> changes them first.
    /// </summary>
    public ContainerBackend Backend(Action<ContainerBackendOptions>? configure = null)
    {
        var options = new ContainerBackendOptions
        {
            Endpoint = Endpoint,
            Image = Image,
            InstanceName = Instance,
            Command = ["/usr/bin/python3", "/opt/fake_singleuser.py"],
            User = "1000:1000",
            StopGraceSeconds = 2,
        };
        configure?.Invoke(options);
        Assert.True(new ContainerBackendOptionsValidator().Validate(null, options).Succeeded);
        return new ContainerBackend(Options.Create(options), Client, TimeProvider.System, NullLogger<ContainerBackend>.Instance);
    }

    /// <summary>Runs <c>podman ARGS</c> with this engine's configuration; its exit code.</summary>
    public Task<int> PodmanAsync(params string[] args) => RunAsync("podman", args);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs PROGRAM ARGS with this engine's configuration; its exit code (output goes to commands.log).</summary>
    public async Task<int> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CONTAINERS_CONF"] = ConfigFile;
        start.Environment["CONTAINERS_REGISTRIES_CONF"] = RegistriesFile;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await File.AppendAllTextAsync(Path.Combine(Work, "commands.log"), $"$ {program} {string.Join(' ', args)}\n{await output}{await error}\n");
        return process.ExitCode;
    }
}
