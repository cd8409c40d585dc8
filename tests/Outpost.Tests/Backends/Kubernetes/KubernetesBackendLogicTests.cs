using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using k8s;
using k8s.Models;
using Outpost.Servers;
using Outpost.Tests.Backends.Kubernetes.Fakes;
using Outpost.Tests.Backends.Slurm;

namespace Outpost.Tests.Backends.Kubernetes;

/// <summary>The backend's start, poll and stop logic against the in-memory API (no HTTP; the client has its own tests).</summary>
public sealed class KubernetesBackendLogicTests : IAsyncLifetime
{
    private const string Ns = "jhub";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly InMemoryKubeApi _api = new();
    private KubernetesWatches _watches = null!;
    private KubernetesBackend _backend = null!;

    public Task InitializeAsync()
    {
        var options = Options.Create(new KubernetesBackendOptions
        {
            Namespace = Ns,
            InstanceName = "unit-outpost",
            Pod = new KubernetesPodOptions { Image = "jupyter/minimal:1", StartTimeout = 20 },
        });
        _watches = new KubernetesWatches(_api, options, TimeProvider.System, NullLoggerFactory.Instance);
        _backend = new KubernetesBackend(options, _api, _watches, TimeProvider.System, NullLogger<KubernetesBackend>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _watches.DisposeAsync();

    [Fact]
    public async Task Start_CreatesThePod_WaitsUntilItRuns_ReturnsPodIpAndPort()
    {
        var context = new RecordingStartContext();
        var start = _backend.StartAsync(Request(), context, CancellationToken.None);

        var pod = await _api.WaitForAsync<V1Pod>(Ns, _ => true, Limit);
        Run(pod, "10.0.0.7");
        var result = await start.WaitAsync(Limit);

        Assert.Equal("hub-a-alice--1", pod);
        Assert.Equal("10.0.0.7:8888", result.ServiceAddress);
        Assert.Contains($"create pods {Ns}/{pod}", _api.Calls);
        Assert.Equal(BackendState.Running, (await _backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
        Assert.Contains(context.Events, e => e.Message.Contains($"Pod {pod} is running at 10.0.0.7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_DeletesThePod_ThenAPollSaysExited()
    {
        var start = _backend.StartAsync(Request(), new RecordingStartContext(), CancellationToken.None);
        Run(await _api.WaitForAsync<V1Pod>(Ns, _ => true, Limit), "10.0.0.8");
        var result = await start.WaitAsync(Limit);

        await _backend.StopAsync(result.Handle, CancellationToken.None).WaitAsync(Limit);

        Assert.Empty(_api.Names<V1Pod>(Ns));
        Assert.Contains($"delete pods {Ns}/hub-a-alice--1", _api.Calls);
        Assert.Equal(BackendState.Exited, (await _backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Start_PodExitsBeforeReady_FailsWithExitCode_AndRemovesThePod()
    {
        var start = _backend.StartAsync(Request(), new RecordingStartContext(), CancellationToken.None);
        var pod = await _api.WaitForAsync<V1Pod>(Ns, _ => true, Limit);
        _api.Update<V1Pod>(Ns, pod, p => p.Status = new V1PodStatus
        {
            Phase = "Failed",
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = PodTemplate.ContainerName,
                    State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Reason = "Error" } },
                },
            ],
        });

        var e = await Assert.ThrowsAsync<BackendException>(() => start.WaitAsync(Limit));

        Assert.Contains("exit code 2", e.Message);
        // The backend removes what it created before it throws.
        Assert.Empty(_api.Names<V1Pod>(Ns));
    }

    [Fact]
    public async Task Start_FailsBeforeTheEventWatchCatchesUp_StillReportsThePodsWarnings()
    {
        _api.LaggingWatches.Add("events");
        var context = new RecordingStartContext();
        var start = _backend.StartAsync(Request(), context, CancellationToken.None);
        var pod = await _api.WaitForAsync<V1Pod>(Ns, _ => true, Limit);
        await _watches.Events(Ns).WaitForSyncAsync(Limit, CancellationToken.None); // the warning comes after the events' list
        await _api.CreateAsync(Ns, new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{pod}.pull" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod },
            Type = "Warning",
            Reason = "Failed",
            Message = "Failed to pull image \"nope:1\": not found",
        }, CancellationToken.None);
        _api.Update<V1Pod>(Ns, pod, p => p.Status = new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = PodTemplate.ContainerName,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff", Message = "Back-off" } },
                },
            ],
        });

        await Assert.ThrowsAsync<BackendException>(() => start.WaitAsync(Limit));

        Assert.Contains(context.Events, e => e.Message == "[Warning] Failed: Failed to pull image \"nope:1\": not found");
    }

    [Fact]
    public async Task Start_Forbidden_FailsNamingTheMissingRbacRule_WithoutCreatingAnything()
    {
        _api.Forbidden.Add("create pods");

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _backend.StartAsync(Request(), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit));

        Assert.Contains("needs RBAC permission for verb 'create' on resource 'pods' in namespace 'jhub'", e.Message);
        Assert.Empty(_api.Names<V1Pod>(Ns));
    }

    /// <summary>What the kubelet reports once the notebook container runs and is ready.</summary>
    private void Run(string pod, string ip) => _api.Update<V1Pod>(Ns, pod, p => p.Status = new V1PodStatus
    {
        Phase = "Running",
        PodIP = ip,
        ContainerStatuses =
        [
            new V1ContainerStatus
            {
                Name = PodTemplate.ContainerName,
                Ready = true,
                State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } },
            },
        ],
    });

    private static BackendStartRequest Request(string hub = "hub-a", string user = "alice")
    {
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "1",
            Env = new Dictionary<string, string>
            {
                [HubEnv.User] = user,
                [HubEnv.UserId] = "7",
                [HubEnv.ApiToken] = "token-123",
                [HubEnv.ServiceUrl] = $"http://127.0.0.1:9999/user/{user}/",
            },
        };
        return new BackendStartRequest(new ServerKey(hub, "", "1"), spec, $"{hub}-{user}--1", "/tmp");
    }
}
