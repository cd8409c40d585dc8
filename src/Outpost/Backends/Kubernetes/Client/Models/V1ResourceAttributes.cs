namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One verb on one resource (and subresource) of an API group, in a namespace, as RBAC rules name them.</summary>
public sealed record V1ResourceAttributes
{
    public string? Namespace { get; set; }

    public string? Verb { get; set; }

    public string? Group { get; set; }

    public string? Resource { get; set; }

    public string? Subresource { get; set; }
}
