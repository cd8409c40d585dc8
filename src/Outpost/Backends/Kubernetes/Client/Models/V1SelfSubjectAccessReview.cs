namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>authorization.k8s.io/v1: asks the API server whether the caller may do one thing; the answer is in <see cref="Status"/>.</summary>
public sealed record V1SelfSubjectAccessReview
{
    public string? ApiVersion { get; set; } = "authorization.k8s.io/v1";

    public string? Kind { get; set; } = "SelfSubjectAccessReview";

    public V1SelfSubjectAccessReviewSpec? Spec { get; set; }

    public V1SubjectAccessReviewStatus? Status { get; set; }
}
