namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Node affinity: hard and soft rules.</summary>
public sealed record V1NodeAffinity
{
    public V1NodeSelector? RequiredDuringSchedulingIgnoredDuringExecution { get; set; }

    public List<V1PreferredSchedulingTerm>? PreferredDuringSchedulingIgnoredDuringExecution { get; set; }
}
