using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>The backend's whole cycle (start → progress → ready → poll → stop) over real HTTP against the wire fake.</summary>
public sealed class KubernetesBackendCycleTests : IAsyncLifetime
{
    private const string Ns = KubernetesBackendFixture.Ns;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private KubernetesBackendFixture _f = null!;

    public async Task InitializeAsync() => _f = await KubernetesBackendFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static readonly object HubMisc = new
    {
        pod_name_template = "jupyter-{username}--{servername}",
        dns_name_template = "{name}.{namespace}.svc.cluster.local",
        services_enabled = true,
        ip = "0.0.0.0",
        port = 8888,
        internal_ssl = false,
        extra_labels = new Dictionary<string, string> { ["hub.jupyter.org/username"] = "alice" },
    };

    [Fact]
    public async Task FullCycle_StartRelaysEventsReturnsServiceAddress_PollsFromCache_StopRemovesObjects()
    {
        _f.Server.StartPodsAutomatically();
        var context = new RecordingStartContext();

        var result = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(server: "lab", misc: HubMisc), context, CancellationToken.None)
            .WaitAsync(Limit);

        Assert.Equal("jupyter-alice--lab-hub-a.jhub.svc.cluster.local:8888", result.ServiceAddress);
        var messages = context.Events.Select(e => e.Message).ToList();
        Assert.Equal(
            ["Scheduled", "Pulling", "Pulled", "Created", "Started"],
            messages.Where(m => m.StartsWith("[Normal]", StringComparison.Ordinal)).Select(m => m.Split(' ')[1].TrimEnd(':')));
        Assert.Contains("[Normal] Pulling: Pulling image \"jupyter/minimal:1\"", messages);
        var progress = context.Events.Select(e => e.Progress).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.All(progress, p => Assert.InRange(p, 1, 99));
        Assert.Equal(result.Handle, context.Handle);
        Assert.NotNull(_f.Server.Get("services", Ns, "jupyter-alice--lab-hub-a"));
        var pod = _f.Server.Get("pods", Ns, "jupyter-alice--lab-hub-a")!;
        Assert.Equal("alice", pod["metadata"]!["labels"]!["hub.jupyter.org/username"]!.GetValue<string>());

        var requestsBefore = _f.Server.Requests.Count;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(BackendState.Running, (await _f.Backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
        }
        Assert.Equal(requestsBefore, _f.Server.Requests.Count);

        _f.Server.TerminatePod(Ns, "jupyter-alice--lab-hub-a", 3);
        var exited = await PollUntil(result.Handle, s => s.State == BackendState.Exited);
        Assert.Equal(3, exited.ExitCode);

        await _f.Backend.StopAsync(result.Handle, CancellationToken.None).WaitAsync(Limit);
        Assert.Empty(_f.Server.Names("pods", Ns));
        Assert.Empty(_f.Server.Names("services", Ns));
        Assert.Contains(_f.Server.Requests, r => r.Method == "DELETE" && r.Path.EndsWith("/pods/jupyter-alice--lab-hub-a", StringComparison.Ordinal)
                                                 && r.Query == "?gracePeriodSeconds=1");
        Assert.Equal(BackendState.Exited, (await _f.Backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Start_WithoutServices_ReturnsPodIpAndPort()
    {
        _f.Server.PodCreated = (ns, name) => _f.Server.SetPodRunning(ns, name, "10.1.2.3");

        var result = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: new { port = 9000 }), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(Limit);

        Assert.Equal("10.1.2.3:9000", result.ServiceAddress);
        Assert.Empty(_f.Server.Names("services", Ns));
    }

    [Fact]
    public async Task Start_ImagePullBackOff_FailsWithImageNameAndCleansUp()
    {
        _f.Server.PodCreated = (ns, name) =>
        {
            _f.Server.SchedulePod(ns, name);
            _f.Server.AddPodEvent(ns, name, "Warning", "Failed", "Failed to pull image \"nope:1\": not found");
            _f.Server.SetContainerWaiting(ns, name, "ImagePullBackOff", "Back-off pulling image \"nope:1\"");
        };
        var context = new RecordingStartContext();

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: new { image = "nope:1", services_enabled = true }), context, CancellationToken.None)
                .WaitAsync(Limit));

        Assert.Equal("The image 'nope:1' of container 'notebook' could not be pulled (ImagePullBackOff): Back-off pulling image \"nope:1\". " +
                     "Check the image name and pull secrets.", e.Message);
        Assert.Contains(context.Events, ev => ev.Message == "[Warning] Failed: Failed to pull image \"nope:1\": not found");
        Assert.Empty(_f.Server.Names("pods", Ns));
        Assert.Empty(_f.Server.Names("services", Ns));
    }

    [Fact]
    public async Task Start_Unschedulable_FailsAfterStartTimeoutWithSchedulerMessage()
    {
        _f.Server.PodCreated = (ns, name) =>
            _f.Server.MarkUnschedulable(ns, name, "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
        var context = new RecordingStartContext();

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: new { start_timeout = 1 }), context, CancellationToken.None)
                .WaitAsync(Limit));

        Assert.Equal("The server could not be scheduled within 1 s: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", e.Message);
        Assert.Contains(context.Events, ev => ev.Message.StartsWith("[Warning] FailedScheduling: 0/3 nodes", StringComparison.Ordinal));
        Assert.Empty(_f.Server.Names("pods", Ns));
    }

    [Fact]
    public async Task Start_CrashLoop_FailsWithExitCode()
    {
        _f.Server.PodCreated = (ns, name) =>
        {
            _f.Server.SchedulePod(ns, name);
            _f.Server.AddPodEvent(ns, name, "Warning", "BackOff", "Back-off restarting failed container notebook");
            _f.Server.SetContainerWaiting(ns, name, "CrashLoopBackOff", "back-off 10s restarting failed container", restartCount: 3, lastExitCode: 2);
        };

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit));

        Assert.Equal("The server keeps crashing: container 'notebook' restarted 3 times, last exit code 2: back-off 10s restarting failed container.", e.Message);
        Assert.Empty(_f.Server.Names("pods", Ns));
    }

    [Fact]
    public async Task Start_WithCerts_CreatesSecretOwnedByPodAndStopDeletesIt()
    {
        _f.Server.StartPodsAutomatically();
        var certs = new ServerCerts("KEY", "CERT", "CA", new Dictionary<string, string> { ["hub-ca"] = "HUBCA", ["ssl"] = "EVIL", ["notebooks-ca_trust"] = "EVIL" });

        var result = await _f.Backend.StartAsync(
            KubernetesBackendFixture.Request(misc: new { internal_ssl = true }, certs: certs), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(Limit);

        var pod = _f.Server.Get("pods", Ns, "hub-a-alice--1")!;
        var secret = _f.Server.Get("secrets", Ns, "hub-a-alice--1")!;
        Assert.Equal("S0VZ", secret["data"]!["ssl.key"]!.GetValue<string>());
        Assert.Equal("SFVCQ0E=", secret["data"]!["trust-bundle.hub-ca.crt"]!.GetValue<string>());
        // Bundles named like the server's own files never replace them.
        Assert.Equal("Q0VSVA==", secret["data"]!["ssl.crt"]!.GetValue<string>());
        Assert.Equal("Q0E=", secret["data"]!["notebooks-ca_trust.crt"]!.GetValue<string>());
        Assert.Equal(pod["metadata"]!["uid"]!.GetValue<string>(), secret["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        var env = pod["spec"]!["containers"]![0]!["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
        Assert.Equal("/etc/jupyterhub/ssl/ssl.key", env["JUPYTERHUB_SSL_KEYFILE"]);
        Assert.Equal("https://0.0.0.0:8888/user/alice/", env["JUPYTERHUB_SERVICE_URL"]);

        await _f.Backend.StopAsync(result.Handle, CancellationToken.None).WaitAsync(Limit);
        Assert.Empty(_f.Server.Names("secrets", Ns));
    }

    [Fact]
    public async Task Start_Forbidden_FailsNamingTheMissingRbacRule()
    {
        _f.Server.Fail("POST", "/pods", 403);

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit));

        Assert.Contains("needs RBAC permission for verb 'create' on resource 'pods' in namespace 'jhub'", e.Message);
    }

    [Fact]
    public async Task Start_LeftoverPodOfSameServer_IsReplaced()
    {
        _f.Server.StartPodsAutomatically();
        var first = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: HubMisc), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(Limit);
        var oldUid = _f.Server.Get("pods", Ns, "jupyter-alice-hub-a")!["metadata"]!["uid"]!.GetValue<string>();

        var second = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: HubMisc, startId: "2"), new RecordingStartContext(), CancellationToken.None)
            .WaitAsync(Limit);

        Assert.NotEqual(oldUid, _f.Server.Get("pods", Ns, "jupyter-alice-hub-a")!["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(BackendState.Exited, (await _f.Backend.GetStatusAsync(first.Handle, CancellationToken.None)).State);
        Assert.Equal(BackendState.Running, (await _f.Backend.GetStatusAsync(second.Handle, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Start_ForeignPodWithTheSameName_FailsClearly()
    {
        _f.Server.Create("pods", Ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "jupyter-alice-hub-a" } });

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: HubMisc), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit));

        Assert.Contains("already exists in namespace 'jhub' and belongs to something else", e.Message);
        Assert.NotNull(_f.Server.Get("pods", Ns, "jupyter-alice-hub-a"));
    }

    [Fact]
    public async Task TwoHubsWithTheSameUser_GetDistinctPods()
    {
        _f.Server.StartPodsAutomatically();

        var a = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(hub: "hub-a", misc: HubMisc), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        var b = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(hub: "hub-b", misc: HubMisc), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(["jupyter-alice-hub-a", "jupyter-alice-hub-b"], _f.Server.Names("pods", Ns));
        Assert.NotEqual(a.ServiceAddress, b.ServiceAddress);
    }

    [Fact]
    public async Task Start_SurvivesDroppedWatchAndCompaction()
    {
        string? podName = null;
        _f.Server.PodCreated = (_, name) => podName = name;
        var start = _f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None);
        await KubeClientTests.WaitUntil(() => podName is not null && _f.Server.OpenWatches == 2);
        var pods = _f.Watches.Pods(Ns);
        var listsBefore = pods.Lists;

        _f.Server.AddPodEvent(Ns, podName!, "Normal", "Scheduled", "assigned");
        _f.Server.Compact();
        _f.Server.DropWatches();
        _f.Server.SetPodRunning(Ns, podName!, "10.9.9.9");

        var result = await start.WaitAsync(Limit);
        Assert.Equal("10.9.9.9:8888", result.ServiceAddress);
        Assert.True(pods.Lists > listsBefore, "the pod watch should have listed again after 410 Gone");
    }

    [Fact]
    public async Task AfterRestart_RunningPodIsAdoptedFromItsHandle()
    {
        _f.Server.StartPodsAutomatically();
        var result = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);

        await using var freshWatches = new KubernetesWatches(_f.Client, Microsoft.Extensions.Options.Options.Create(_f.Options), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var restarted = _f.NewBackend(freshWatches);

        Assert.Equal(BackendState.Running, (await restarted.GetStatusAsync(result.Handle, CancellationToken.None)).State);
        await restarted.StopAsync(result.Handle, CancellationToken.None).WaitAsync(Limit);
        Assert.Empty(_f.Server.Names("pods", Ns));
    }

    [Fact]
    public async Task GetStatus_ApiUnreachableBeforeSync_IsUnknownNotExited()
    {
        _f.Server.Fail("GET", "/pods?labelSelector", 500, times: 1000);
        var handle = new KubernetesHandle(Ns, "p", null, null, 8888, 1).ToBackendHandle();

        var status = await _f.Backend.GetStatusAsync(handle, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(BackendState.Unknown, status.State);
    }

    [Fact]
    public async Task GetStatus_WhileTheWatchKeepsFailing_IsUnknown_ThenRunningAfterRecovery()
    {
        _f.Server.StartPodsAutomatically();
        var result = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        var pods = _f.Watches.Pods(Ns);
        _f.Server.Fail("GET", "/pods?watch=true", 500, times: 2);

        _f.Server.DropWatches();
        await KubeClientTests.WaitUntil(() => pods.LastError is not null);
        Assert.Equal(BackendState.Unknown, (await _f.Backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);

        await KubeClientTests.WaitUntil(() => pods.IsCurrent);
        Assert.Equal(BackendState.Running, (await _f.Backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
    }

    [Fact]
    public async Task SweepOrphans_ReportsUnownedOldPods_AndRemovesThemWhenConfigured()
    {
        _f.Server.StartPodsAutomatically();
        var owned = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(user: "owned"), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        await _f.Backend.StartAsync(KubernetesBackendFixture.Request(user: "lost"), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        foreach (var name in _f.Server.Names("pods", Ns))
        {
            _f.Server.Update("pods", Ns, name, p => p["metadata"]!["creationTimestamp"] = "2020-01-01T00:00:00Z");
        }
        await KubeClientTests.WaitUntil(() => _f.Watches.Pods(Ns).Items.All(p => p.Metadata!.CreationTimestamp!.Value.Year == 2020));

        var reported = await _f.Backend.SweepOrphansAsync([owned.Handle], CancellationToken.None);
        Assert.Equal(["pod hub-a-lost--1 in namespace jhub"], reported);
        Assert.Equal(2, _f.Server.Names("pods", Ns).Count);

        _f.Options.RemoveOrphans = true;
        await _f.Backend.SweepOrphansAsync([owned.Handle], CancellationToken.None);
        Assert.Equal(["hub-a-owned--1"], _f.Server.Names("pods", Ns));
    }

    [Fact]
    public async Task GetLogs_ReturnsTheLastLines()
    {
        _f.Server.StartPodsAutomatically();
        var result = await _f.Backend.StartAsync(KubernetesBackendFixture.Request(), new RecordingStartContext(), CancellationToken.None).WaitAsync(Limit);
        _f.Server.SetLogs(Ns, "hub-a-alice--1", "a", "b", "c");

        Assert.Equal(["b", "c"], await _f.Backend.GetLogsAsync(result.Handle, 2, CancellationToken.None));
    }

    [Fact]
    public async Task Start_InvalidMisc_FailsBeforeAnythingIsCreated()
    {
        var e = await Assert.ThrowsAsync<BackendException>(() =>
            _f.Backend.StartAsync(KubernetesBackendFixture.Request(misc: new { cpu_limit = "lots" }), new RecordingStartContext(), CancellationToken.None));

        Assert.Contains("misc.cpu_limit must be a number, not the string \"lots\"", e.Message);
        Assert.DoesNotContain(_f.Server.Requests, r => r.Method == "POST");
    }

    private async Task<BackendStatus> PollUntil(BackendHandle handle, Func<BackendStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var status = await _f.Backend.GetStatusAsync(handle, CancellationToken.None);
            if (condition(status) || DateTime.UtcNow > deadline)
            {
                return status;
            }
            await Task.Delay(20);
        }
    }
}
