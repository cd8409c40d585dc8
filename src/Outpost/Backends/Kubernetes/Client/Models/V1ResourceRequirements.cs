namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Requests (guarantees) and limits, as Kubernetes quantities keyed by resource name.</summary>
public sealed record V1ResourceRequirements
{
    public Dictionary<string, string>? Requests { get; set; }

    public Dictionary<string, string>? Limits { get; set; }
}
