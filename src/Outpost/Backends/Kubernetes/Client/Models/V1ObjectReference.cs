namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Names the object an event is about.</summary>
public sealed record V1ObjectReference
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public string? FieldPath { get; set; }

    public string? ResourceVersion { get; set; }
}
