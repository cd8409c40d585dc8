namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A set of node selector terms, any of which may match.</summary>
public sealed record V1NodeSelector
{
    public List<V1NodeSelectorTerm>? NodeSelectorTerms { get; set; }
}
