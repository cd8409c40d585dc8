namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The observed state of a claim.</summary>
public sealed record V1PersistentVolumeClaimStatus
{
    public string? Phase { get; set; }
}
