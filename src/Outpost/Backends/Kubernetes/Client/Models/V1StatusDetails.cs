namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Which object a Status is about.</summary>
public sealed record V1StatusDetails
{
    public string? Name { get; set; }

    public string? Group { get; set; }

    public string? Kind { get; set; }
}
