namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Points from a dependent object to its owner, so the garbage collector removes it with the owner.</summary>
public sealed record V1OwnerReference
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Name { get; set; }

    public string? Uid { get; set; }

    public bool? Controller { get; set; }

    public bool? BlockOwnerDeletion { get; set; }
}
