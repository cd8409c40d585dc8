namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A directory of the node.</summary>
public sealed record V1HostPathVolumeSource
{
    public string? Path { get; set; }

    public string? Type { get; set; }
}
