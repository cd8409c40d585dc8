namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One condition of a pod (PodScheduled, Initialized, ContainersReady, Ready).</summary>
public sealed record V1PodCondition
{
    public string? Type { get; set; }

    public string? Status { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public DateTimeOffset? LastTransitionTime { get; set; }
}
