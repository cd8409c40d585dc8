namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A container that has ended.</summary>
public sealed record V1ContainerStateTerminated
{
    public int? ExitCode { get; set; }

    public int? Signal { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
