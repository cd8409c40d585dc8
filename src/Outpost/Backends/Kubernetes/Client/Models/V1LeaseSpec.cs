namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Who holds a lease and until when.</summary>
public sealed record V1LeaseSpec
{
    public string? HolderIdentity { get; set; }

    public int? LeaseDurationSeconds { get; set; }

    public DateTimeOffset? AcquireTime { get; set; }

    public DateTimeOffset? RenewTime { get; set; }

    public int? LeaseTransitions { get; set; }
}
