namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One requirement on a node label or field.</summary>
public sealed record V1NodeSelectorRequirement
{
    public string? Key { get; set; }

    public string? Operator { get; set; }

    public List<string>? Values { get; set; }
}
