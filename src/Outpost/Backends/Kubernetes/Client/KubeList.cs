using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// A list answer of any kind the Outpost lists (the library has one list type per kind): the items plus the list's
/// metadata, whose resourceVersion is where a watch continues.
/// </summary>
public sealed record KubeList<T>
{
    public V1ListMeta? Metadata { get; init; }

    public List<T> Items { get; init; } = [];
}
