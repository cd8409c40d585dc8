namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Hooks run after a container starts and before it stops.</summary>
public sealed record V1Lifecycle
{
    public V1LifecycleHandler? PostStart { get; set; }

    public V1LifecycleHandler? PreStop { get; set; }
}
