namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A weighted soft pod rule.</summary>
public sealed record V1WeightedPodAffinityTerm
{
    public int? Weight { get; set; }

    public V1PodAffinityTerm? PodAffinityTerm { get; set; }
}
