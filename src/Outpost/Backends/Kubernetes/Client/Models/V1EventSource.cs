namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The component that reported an event.</summary>
public sealed record V1EventSource
{
    public string? Component { get; set; }

    public string? Host { get; set; }
}
