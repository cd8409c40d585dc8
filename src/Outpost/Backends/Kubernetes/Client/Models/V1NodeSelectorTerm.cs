namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Node requirements that must all match.</summary>
public sealed record V1NodeSelectorTerm
{
    public List<V1NodeSelectorRequirement>? MatchExpressions { get; set; }

    public List<V1NodeSelectorRequirement>? MatchFields { get; set; }
}
