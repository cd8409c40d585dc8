namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One requirement of a label query.</summary>
public sealed record V1LabelSelectorRequirement
{
    public string? Key { get; set; }

    public string? Operator { get; set; }

    public List<string>? Values { get; set; }
}
