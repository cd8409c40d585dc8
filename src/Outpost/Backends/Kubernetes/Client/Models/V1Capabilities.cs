namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Linux capabilities to add and drop.</summary>
public sealed record V1Capabilities
{
    public List<string>? Add { get; set; }

    public List<string>? Drop { get; set; }
}
