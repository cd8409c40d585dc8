namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A scratch volume that lives as long as the pod.</summary>
public sealed record V1EmptyDirVolumeSource
{
    public string? Medium { get; set; }

    public string? SizeLimit { get; set; }
}
