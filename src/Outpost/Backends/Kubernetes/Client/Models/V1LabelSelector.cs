namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A label query.</summary>
public sealed record V1LabelSelector
{
    public Dictionary<string, string>? MatchLabels { get; set; }

    public List<V1LabelSelectorRequirement>? MatchExpressions { get; set; }
}
