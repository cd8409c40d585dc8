namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>An NFS export.</summary>
public sealed record V1NfsVolumeSource
{
    public string? Server { get; set; }

    public string? Path { get; set; }

    public bool? ReadOnly { get; set; }
}
