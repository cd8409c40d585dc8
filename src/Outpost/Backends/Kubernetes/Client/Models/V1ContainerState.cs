namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Exactly one of waiting, running or terminated is set.</summary>
public sealed record V1ContainerState
{
    public V1ContainerStateWaiting? Waiting { get; set; }

    public V1ContainerStateRunning? Running { get; set; }

    public V1ContainerStateTerminated? Terminated { get; set; }
}
