namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A reference by name to an object in the same namespace (e.g. an image pull secret).</summary>
public sealed record V1LocalObjectReference
{
    public string? Name { get; set; }
}
