namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A volume backed by a claim.</summary>
public sealed record V1PersistentVolumeClaimVolumeSource
{
    public string? ClaimName { get; set; }

    public bool? ReadOnly { get; set; }
}
