namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A port a container listens on.</summary>
public sealed record V1ContainerPort
{
    public string? Name { get; set; }

    public int? ContainerPort { get; set; }

    public string? Protocol { get; set; }
}
