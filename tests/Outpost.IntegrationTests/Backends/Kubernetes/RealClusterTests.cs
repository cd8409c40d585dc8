using Microsoft.Extensions.Logging.Abstractions;
using Outpost.Backends;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// The client and the backend against a real cluster named by KUBECONFIG (first path). Namespace: $OUTPOST_TEST_NAMESPACE,
/// else the context's, else "default". Image: $OUTPOST_TEST_IMAGE, else busybox:1.36, run as `sleep 3600`.
/// The service account behind the kubeconfig needs at least the rules of deploy/kubernetes/rbac.yaml.
/// </summary>
public sealed class RealClusterTests
{
    private static KubernetesClientConfiguration Config() =>
        KubeClient.FromKubeConfig(Environment.GetEnvironmentVariable("KUBECONFIG")!.Split(Path.PathSeparator)[0]);

    private static string Namespace(KubernetesClientConfiguration config) =>
        Environment.GetEnvironmentVariable("OUTPOST_TEST_NAMESPACE") is { Length: > 0 } ns ? ns : config.Namespace ?? "default";

    [KubeconfigFact]
    public async Task Client_ListAndWatchPods()
    {
        var config = Config();
        using var client = new KubeClient(config);
        var ns = Namespace(config);

        var list = await client.ListAsync<V1Pod>(ns);
        Assert.False(string.IsNullOrEmpty(list.Metadata?.ResourceVersion));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await foreach (var _ in client.WatchAsync<V1Pod>(ns, list.Metadata!.ResourceVersion, timeoutSeconds: 2, cancellationToken: cts.Token))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [KubeconfigFact]
    public async Task Backend_StartPollLogsStop()
    {
        var config = Config();
        using var client = new KubeClient(config);
        var options = new KubernetesBackendOptions
        {
            Namespace = Namespace(config),
            InstanceName = "outpost-real-test",
            Pod = new KubernetesPodOptions
            {
                Image = Environment.GetEnvironmentVariable("OUTPOST_TEST_IMAGE") is { Length: > 0 } image ? image : "busybox:1.36",
                Cmd = ["sleep", "3600"],
                StartTimeout = 240,
                CpuGuarantee = 0.05,
                MemLimit = "64M",
            },
        };
        await using var watches = new KubernetesWatches(client, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance);
        var backend = new KubernetesBackend(Microsoft.Extensions.Options.Options.Create(options), client, watches, TimeProvider.System,
            NullLogger<KubernetesBackend>.Instance);
        var context = new RecordingStartContext();
        var request = KubernetesBackendFixture.Request(hub: "real-test", user: $"u{Guid.NewGuid().ToString("N")[..8]}", misc: new { services_enabled = true });

        var result = await backend.StartAsync(request, context, CancellationToken.None);
        try
        {
            Assert.EndsWith(".svc.cluster.local:8888", result.ServiceAddress);
            Assert.Contains(context.Events, e => e.Message.Contains("Scheduled", StringComparison.Ordinal));
            Assert.Equal(BackendState.Running, (await backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
            await backend.GetLogsAsync(result.Handle, 10, CancellationToken.None);
        }
        finally
        {
            await backend.StopAsync(result.Handle, CancellationToken.None);
        }
        Assert.Equal(BackendState.Exited, (await backend.GetStatusAsync(result.Handle, CancellationToken.None)).State);
    }
}
