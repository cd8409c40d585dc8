using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Outpost.Backends;
using Outpost.Backends.Containers;
using Outpost.IntegrationTests.Backends.Shared;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary>The container backend against a real Podman (its Docker-compatible API on a private socket), servers on the host network.</summary>
[Collection(PodmanCollection.Name)]
public sealed class ContainerBackendTests(PodmanEngine engine) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _work = Directory.CreateTempSubdirectory("outpost-containers-work-").FullName;

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Start_ReportsProgress_ServesWithLimits_PollsAndLogs_StopRemovesContainerKeepsVolume()
    {
        var volume = $"jupyter-{engine.Instance}-{ContainerMounts.SafeName("ada")}";
        engine.CreatedVolumes.Add(volume);
        var backend = Backend(o =>
        {
            o.MemoryLimit = "256M";
            o.CpuLimit = 0.5;
            o.Volumes.Add(new ContainerMount { Source = $"jupyter-{engine.Instance}-{{user}}", Target = "/home/jovyan" });
            o.Environment["FROM_OUTPOST"] = "yes";
        });
        var context = new RecordingStartContext();
        var request = Request("ada", "s1");

        var result = await backend.StartAsync(request, context, Timeout());

        var handle = ContainerHandle.From(Assert.Single(context.Handles.Distinct()));
        Assert.Equal(request.ResourceName, handle.Container);
        Assert.Contains(context.Messages, m => m.StartsWith("Creating container " + request.ResourceName, StringComparison.Ordinal));
        Assert.Contains(context.Messages, m => m.StartsWith("Server is listening on 127.0.0.1:", StringComparison.Ordinal));
        var env = await _http.GetFromJsonAsync<Dictionary<string, string>>($"http://{result.ServiceAddress}/env");
        Assert.Equal("ada", env!["JUPYTERHUB_USER"]);
        Assert.Equal("yes", env["FROM_OUTPOST"]);
        Assert.Equal($"http://{result.ServiceAddress}/user/ada/", env["JUPYTERHUB_SERVICE_URL"]);

        var inspected = (await engine.Client.InspectContainerAsync(handle.Container, Timeout()))!;
        Assert.Equal(256L * 1024 * 1024, inspected.HostConfig!.Memory);
        Assert.Equal(500_000_000L, inspected.HostConfig.NanoCpus);
        Assert.True(inspected.HostConfig.ReadonlyRootfs);
        // Docker answers ["ALL"]; Podman lists each capability it dropped.
        Assert.True(inspected.HostConfig.CapDrop is { } dropped && (dropped.Contains("ALL") || dropped.Contains("CHOWN") && dropped.Contains("SETUID") && dropped.Contains("NET_BIND_SERVICE")),
            string.Join(",", inspected.HostConfig.CapDrop ?? []));
        Assert.Equal("ada", inspected.Config!.Labels![ContainerLabels.User]);
        Assert.Equal("s1", inspected.Config.Labels[ContainerLabels.StartId]);

        Assert.Equal(BackendState.Running, (await backend.GetStatusAsync(result.Handle, Timeout())).State);
        Assert.Contains("fake server starting for ada", await backend.GetLogsAsync(result.Handle, 10, Timeout()));

        await backend.StopAsync(result.Handle, Timeout());

        Assert.Null(await engine.Client.InspectContainerAsync(handle.Container, Timeout()));
        Assert.NotNull(await engine.Client.InspectVolumeAsync(volume, Timeout()));
        var after = await backend.GetStatusAsync(result.Handle, Timeout());
        Assert.Equal(BackendState.Exited, after.State);
        await backend.StopAsync(result.Handle, Timeout()); // stopping a gone server succeeds
    }

    [Fact]
    public async Task Start_ImageMissing_NeverPulls_ReadableError_AndUnpullableImage_ReadablePullError()
    {
        var never = Backend(o => { o.Image = "localhost/outpost-no-such-image:1"; o.PullPolicy = ContainerPullPolicy.Never; });
        var e = await Assert.ThrowsAsync<BackendException>(() => never.StartAsync(Request("bob", "s1"), new RecordingStartContext(), Timeout()));
        Assert.Equal("The image localhost/outpost-no-such-image:1 is not on the container host, and this Outpost never pulls images (PullPolicy Never).", e.Message);

        var pulling = Backend(o => o.Image = "localhost/outpost-no-such-image:1");
        var context = new RecordingStartContext();
        var pull = await Assert.ThrowsAsync<BackendException>(() => pulling.StartAsync(Request("bob", "s2"), context, Timeout()));
        Assert.StartsWith("The image localhost/outpost-no-such-image:1 could not be pulled: ", pull.Message, StringComparison.Ordinal);
        Assert.Contains("Pulling image localhost/outpost-no-such-image:1.", context.Messages);
        Assert.Empty(context.Handles); // nothing was created, so nothing to clean up
    }

    [Fact]
    public async Task Start_ContainerExitsBeforeListening_ErrorCarriesExitCodeAndLastLines()
    {
        var backend = Backend();
        var context = new RecordingStartContext();
        var request = Request("carol", "s1", new() { ["JUPYTER_TEST_EXIT_CODE"] = "3" });

        var e = await Assert.ThrowsAsync<BackendException>(() => backend.StartAsync(request, context, Timeout()));

        Assert.StartsWith("The server's container exited with code 3 before it listened on port ", e.Message, StringComparison.Ordinal);
        Assert.Contains("fake server failing on purpose", e.Message, StringComparison.Ordinal);
        var handle = Assert.Single(context.Handles);
        Assert.Equal(BackendState.Exited, (await backend.GetStatusAsync(handle, Timeout())).State);
        Assert.Equal(3, (await backend.GetStatusAsync(handle, Timeout())).ExitCode);
        await backend.StopAsync(handle, Timeout());
        Assert.Null(await engine.Client.InspectContainerAsync(ContainerHandle.From(handle).Container, Timeout()));
    }

    [Fact]
    public async Task Stop_DuringStart_CancelledStartLeavesNoContainer()
    {
        var backend = Backend();
        using var cancel = new CancellationTokenSource(Limit);
        var context = new RecordingStartContext(e =>
        {
            if (e.Message.StartsWith("Container ", StringComparison.Ordinal))
            {
                cancel.Cancel(); // the container runs, the server is still sleeping before it listens
            }
            return Task.CompletedTask;
        });
        var request = Request("dave", "s1", new() { ["JUPYTER_TEST_DELAY"] = "60" });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.StartAsync(request, context, cancel.Token));

        var handle = Assert.Single(context.Handles);
        Assert.Equal(BackendState.Running, (await backend.GetStatusAsync(handle, Timeout())).State);
        await backend.StopAsync(handle, Timeout());
        Assert.Null(await engine.Client.InspectContainerAsync(ContainerHandle.From(handle).Container, Timeout()));
    }

    [Fact]
    public async Task Start_HostileUserAndServerNames_LabelsKeepThemExactly_NamesStaySafe()
    {
        const string user = "Ève'; rm -rf / #$(id)`x`\\\"../..";
        const string server = "a/b c:d";
        engine.CreatedVolumes.Add($"home-{ContainerMounts.SafeName(user)}");
        var backend = Backend(o => o.Volumes.Add(new ContainerMount { Source = "home-{user}", Target = "/home/jovyan" }));
        var request = Request(user, "s1", name: server);

        var result = await backend.StartAsync(request, new RecordingStartContext(), Timeout());

        var inspected = (await engine.Client.InspectContainerAsync(ContainerHandle.From(result.Handle).Container, Timeout()))!;
        Assert.Equal(user, inspected.Config!.Labels![ContainerLabels.User]);
        Assert.Equal(server, inspected.Config.Labels[ContainerLabels.Server]);
        Assert.Matches("^jupyter-[a-z0-9-]+$", request.ResourceName);
        Assert.NotNull(await engine.Client.InspectVolumeAsync($"home-{ContainerMounts.SafeName(user)}", Timeout()));
        var env = await _http.GetFromJsonAsync<Dictionary<string, string>>($"http://{result.ServiceAddress}/env");
        Assert.Equal(user, env!["JUPYTERHUB_USER"]);
        await backend.StopAsync(result.Handle, Timeout());
    }

    [Fact]
    public async Task SweepOrphans_RemovesOldUnownedContainers_KeepsOwnedAndYoungOnes()
    {
        // An instance name of its own: containers other tests leave running are not this test's orphans.
        var instance = engine.Instance + "-sweep";
        var backend = Backend(o => { o.OrphanGraceSeconds = 0; o.InstanceName = instance; });
        var owned = await backend.StartAsync(Request("erin", "s1"), new RecordingStartContext(), Timeout());
        var orphan = await backend.StartAsync(Request("erin", "s2"), new RecordingStartContext(), Timeout());
        var patient = Backend(o => { o.OrphanGraceSeconds = 3600; o.InstanceName = instance; });

        Assert.Empty(await patient.SweepOrphansAsync([owned.Handle], Timeout()));
        var swept = await backend.SweepOrphansAsync([owned.Handle, new BackendHandle("""{"pid":1}""")], Timeout());

        var orphanName = ContainerHandle.From(orphan.Handle).Container;
        Assert.Equal([$"container {orphanName}"], swept);
        Assert.Null(await engine.Client.InspectContainerAsync(orphanName, Timeout()));
        Assert.Equal(BackendState.Running, (await backend.GetStatusAsync(owned.Handle, Timeout())).State);
        await backend.StopAsync(owned.Handle, Timeout());
    }

    [Fact]
    public async Task Start_InternalSsl_CertificatesMountedReadOnly_PathsInEnvironment()
    {
        var backend = Backend();
        var spec = Spec("fay", "s1") with
        {
            Certs = new ServerCerts("KEY PEM", "CERT PEM", "CA PEM", new Dictionary<string, string> { ["hub-ca"] = "BUNDLE PEM" }),
        };
        var request = new BackendStartRequest(new ServerKey("hub1", "", "s1"), spec, ResourceNames.ForServer(new ServerKey("hub1", "", "s1"), "fay"), _work);
        var context = new RecordingStartContext();
        // The fake server speaks plain HTTP, so the start cannot see it listen on https: it only has to get that far.
        using var cancel = new CancellationTokenSource(Limit);
        var start = backend.StartAsync(request, new RecordingStartContext(e =>
        {
            if (e.Message.StartsWith("Container ", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
            return Task.CompletedTask;
        }), cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        var name = request.ResourceName;
        var inspected = (await engine.Client.InspectContainerAsync(name, Timeout()))!;
        Assert.Contains($"JUPYTERHUB_SSL_KEYFILE={ContainerTemplate.CertsMountPath}/server.key", inspected.Config!.Env!);
        Assert.Contains(inspected.Config.Env!, e => e.StartsWith("JUPYTERHUB_SERVICE_URL=https://127.0.0.1:", StringComparison.Ordinal));
        Assert.Equal("KEY PEM", await File.ReadAllTextAsync(Path.Combine(_work, "internal-ssl", "server.key")));
        Assert.Equal("BUNDLE PEM", await File.ReadAllTextAsync(Path.Combine(_work, "internal-ssl", "trust-bundles", "hub-ca.crt")));
        await backend.StopAsync(new ContainerHandle(name, "127.0.0.1", 1).ToBackendHandle(), Timeout());
    }

    private ContainerBackend Backend(Action<ContainerBackendOptions>? configure = null) => engine.Backend(o =>
    {
        o.StartTimeoutSeconds = 60;
        configure?.Invoke(o);
    });

    private BackendStartRequest Request(string user, string startId, Dictionary<string, string>? env = null, string name = "")
    {
        var key = new ServerKey("hub1", name, startId);
        return new BackendStartRequest(key, Spec(user, startId, env, name), ResourceNames.ForServer(key, user) + "-" + Environment.ProcessId, _work);
    }

    private static ServerSpec Spec(string user, string startId, Dictionary<string, string>? env = null, string name = "")
    {
        var environment = new Dictionary<string, string>
        {
            ["JUPYTERHUB_USER"] = user,
            ["JUPYTERHUB_API_TOKEN"] = "token",
            ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/ada/",
            ["JUPYTERHUB_SERVICE_URL"] = "http://0.0.0.0:8888/user/ada/",
        };
        foreach (var (k, v) in env ?? [])
        {
            environment[k] = v;
        }
        return new ServerSpec
        {
            Name = name,
            StartId = startId,
            Env = environment,
            Misc = new Dictionary<string, JsonElement> { ["port"] = JsonSerializer.SerializeToElement(0) },
        };
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(Limit).Token;
}
