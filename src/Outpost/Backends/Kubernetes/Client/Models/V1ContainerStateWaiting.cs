namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A container that is not running yet, with the reason (e.g. ImagePullBackOff).</summary>
public sealed record V1ContainerStateWaiting
{
    public string? Reason { get; set; }

    public string? Message { get; set; }
}
