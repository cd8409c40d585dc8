using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;
using Outpost.Checks;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// <c>outpost check</c>: one SelfSubjectAccessReview per permission the backend uses (<see cref="KubernetesAccess"/>)
/// in its namespace. A review creates nothing; the API server only answers whether the Outpost's credentials may.
/// </summary>
public sealed partial class KubernetesBackend : IBackendCheck
{
    public async Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var subject = $"Backend {Name}";
        // With a namespace per hub or user, the rules must hold in every namespace (a ClusterRole): ask cluster-wide.
        var ns = options.Value.NamespaceTemplate is null ? Namespace : null;
        var where = ns is null ? "every namespace" : $"namespace {ns}";
        var needed = KubernetesAccess.Needed(options.Value);
        var denied = new List<(KubernetesAccess.Permission Permission, string Reason)>();
        foreach (var permission in needed)
        {
            var parts = permission.Resource.Split('/', 2);
            V1SubjectAccessReviewStatus answer;
            try
            {
                answer = await client.ReviewAccessAsync(new V1ResourceAttributes
                {
                    NamespaceProperty = ns,
                    Verb = permission.Verb,
                    Group = permission.Group,
                    Resource = parts[0],
                    Subresource = parts.Length > 1 ? parts[1] : null,
                }, cancellationToken);
            }
            catch (KubeApiException ex)
            {
                return [CheckLine.Fail(subject, $"the API server at {client.Server} cannot be asked: {ex.Message}",
                    "check Outpost:Backends:Kubernetes:KubeConfigPath and Context (or the pod's service account), and that the API server is reachable from here")];
            }
            if (!answer.Allowed)
            {
                denied.Add((permission, answer.Reason ?? answer.EvaluationError ?? ""));
            }
        }
        if (denied.Count == 0)
        {
            return [CheckLine.Ok(subject, $"may do all {needed.Count} things it needs in {where} (SelfSubjectAccessReview)")];
        }
        return [.. denied.Select(d => CheckLine.Fail(subject,
            $"may not {d.Permission} in {where}{(d.Reason.Length > 0 ? $" ({d.Reason})" : "")}",
            $"grant it in the Role bound to the Outpost's service account ({d.Permission.Verb} on {d.Permission.Resource}{(d.Permission.Group.Length == 0 ? "" : $" in API group {d.Permission.Group}")}; deploy/kubernetes/rbac.yaml has every rule)"))];
    }
}
