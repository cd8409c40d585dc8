namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Where a volume is mounted in a container.</summary>
public sealed record V1VolumeMount
{
    public string? Name { get; set; }

    public string? MountPath { get; set; }

    public string? SubPath { get; set; }

    public bool? ReadOnly { get; set; }
}
