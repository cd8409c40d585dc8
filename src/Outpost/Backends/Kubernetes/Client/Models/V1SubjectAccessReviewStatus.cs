namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The API server's answer to an access review.</summary>
public sealed record V1SubjectAccessReviewStatus
{
    public bool Allowed { get; set; }

    public bool? Denied { get; set; }

    public string? Reason { get; set; }

    public string? EvaluationError { get; set; }
}
