using System.Collections.Concurrent;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Backends.Kubernetes;

/// <summary>Namespaces per hub or user (<see cref="KubernetesBackendOptions.NamespaceTemplate"/>), created on first use.</summary>
public sealed partial class KubernetesBackend
{
    /// <summary>Namespaces known to exist: asked for once per process, not once per start.</summary>
    private readonly ConcurrentDictionary<string, bool> _namespacesMade = new(StringComparer.Ordinal);

    private async Task EnsureNamespaceAsync(string ns, string hub, CancellationToken cancellationToken)
    {
        if (_namespacesMade.ContainsKey(ns))
        {
            return;
        }
        var labels = new Dictionary<string, string>
        {
            [PodTemplate.ManagedByLabel] = PodTemplate.ManagedByValue,
            [PodTemplate.InstanceLabel] = options.Value.InstanceName,
            [PodTemplate.HubLabel] = KubeNames.LabelValue(hub),
        };
        try
        {
            // false: it existed already (made by an earlier run or by an administrator); either way it is there now.
            await client.CreateNamespaceAsync(ns, labels, cancellationToken);
        }
        catch (KubeApiException e)
        {
            throw new BackendException($"The namespace {ns} for this server could not be created. {e.Message}", e);
        }
        _namespacesMade[ns] = true;
    }
}
