namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A Lease (coordination.k8s.io/v1), used to elect one Outpost replica for housekeeping.</summary>
public sealed record V1Lease : IKubeObject
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public V1LeaseSpec? Spec { get; set; }
}
