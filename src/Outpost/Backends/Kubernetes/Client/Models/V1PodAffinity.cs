namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Pod affinity or anti-affinity (the API uses the same shape for both).</summary>
public sealed record V1PodAffinity
{
    public List<V1PodAffinityTerm>? RequiredDuringSchedulingIgnoredDuringExecution { get; set; }

    public List<V1WeightedPodAffinityTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; set; }
}
