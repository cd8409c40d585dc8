namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Pods selected by labels within a topology domain.</summary>
public sealed record V1PodAffinityTerm
{
    public V1LabelSelector? LabelSelector { get; set; }

    public List<string>? Namespaces { get; set; }

    public string? TopologyKey { get; set; }
}
