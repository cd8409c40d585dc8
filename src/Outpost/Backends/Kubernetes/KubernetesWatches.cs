using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// The shared watches (DI singleton): per namespace, one reflector of this Outpost's pods and one of pod Events,
/// started on first use. Every start, poll and stop reads these caches instead of asking the API.
/// </summary>
public sealed class KubernetesWatches(
    IKubeApi client, IOptions<KubernetesBackendOptions> options, TimeProvider time, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<KubeReflector<V1Pod>>> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<KubeReflector<Corev1Event>>> _events = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<KubernetesWatches>();

    /// <summary>Pods labelled for this Outpost instance in <paramref name="ns"/>.</summary>
    public KubeReflector<V1Pod> Pods(string ns) => _pods.GetOrAdd(ns, n => new Lazy<KubeReflector<V1Pod>>(() =>
        new KubeReflector<V1Pod>(client, n, PodTemplate.InstanceSelector(options.Value.InstanceName), null,
            options.Value.WatchTimeoutSeconds, time, _logger))).Value.Start();

    /// <summary>Events about pods in <paramref name="ns"/>, indexed by the pod's name.</summary>
    public KubeReflector<Corev1Event> Events(string ns) => _events.GetOrAdd(ns, n => new Lazy<KubeReflector<Corev1Event>>(() =>
        new KubeReflector<Corev1Event>(client, n, null, "involvedObject.kind=Pod",
            options.Value.WatchTimeoutSeconds, time, _logger, e => e.InvolvedObject?.Name))).Value.Start();

    public async ValueTask DisposeAsync()
    {
        foreach (var reflector in _pods.Values.Where(l => l.IsValueCreated))
        {
            await reflector.Value.DisposeAsync();
        }
        foreach (var reflector in _events.Values.Where(l => l.IsValueCreated))
        {
            await reflector.Value.DisposeAsync();
        }
    }
}
