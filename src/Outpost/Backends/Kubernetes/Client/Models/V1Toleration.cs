namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Lets a pod be scheduled onto nodes with a matching taint.</summary>
public sealed record V1Toleration
{
    public string? Key { get; set; }

    public string? Operator { get; set; }

    public string? Value { get; set; }

    public string? Effect { get; set; }

    public long? TolerationSeconds { get; set; }
}
