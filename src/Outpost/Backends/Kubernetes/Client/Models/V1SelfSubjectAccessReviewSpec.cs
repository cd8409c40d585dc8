namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>What a <see cref="V1SelfSubjectAccessReview"/> asks about.</summary>
public sealed record V1SelfSubjectAccessReviewSpec
{
    public V1ResourceAttributes? ResourceAttributes { get; set; }
}
