namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A list response (<c>PodList</c>, <c>EventList</c>, ...): the items plus the resourceVersion to watch from.</summary>
public sealed record KubeList<T>
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ListMeta? Metadata { get; set; }

    public List<T> Items { get; set; } = [];
}
