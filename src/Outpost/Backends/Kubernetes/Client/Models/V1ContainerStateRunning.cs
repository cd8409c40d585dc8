namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A running container.</summary>
public sealed record V1ContainerStateRunning
{
    public DateTimeOffset? StartedAt { get; set; }
}
