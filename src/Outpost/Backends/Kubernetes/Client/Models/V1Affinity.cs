namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Scheduling constraints relative to nodes and other pods.</summary>
public sealed record V1Affinity
{
    public V1NodeAffinity? NodeAffinity { get; set; }

    public V1PodAffinity? PodAffinity { get; set; }

    public V1PodAffinity? PodAntiAffinity { get; set; }
}
