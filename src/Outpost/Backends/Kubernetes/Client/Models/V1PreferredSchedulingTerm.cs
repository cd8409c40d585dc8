namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A weighted soft node rule.</summary>
public sealed record V1PreferredSchedulingTerm
{
    public int? Weight { get; set; }

    public V1NodeSelectorTerm? Preference { get; set; }
}
