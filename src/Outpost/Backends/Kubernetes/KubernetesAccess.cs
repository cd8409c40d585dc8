using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Every permission the backend uses in its namespace, as RBAC names it: what <c>outpost check</c> asks the API
/// server about, and what deploy/kubernetes/rbac.yaml grants (RbacManifestTests keeps the three in step).
/// </summary>
public static class KubernetesAccess
{
    /// <summary>One verb on a resource (<c>pods/log</c> for a subresource) of an API group ("" is the core group).</summary>
    public sealed record Permission(string Group, string Resource, string Verb)
    {
        public override string ToString() => $"{Verb} {Resource}{(Group.Length == 0 ? "" : "." + Group)}";
    }

    /// <summary>The permissions a backend with these options needs.</summary>
    public static IReadOnlyList<Permission> Needed(KubernetesBackendOptions options)
    {
        var core = KubeResource.Pods.Group;
        List<Permission> needed =
        [
            .. Verbs(core, KubeResource.Pods.Plural, "create", "get", "list", "watch", "delete"),
            new(core, KubeResource.Pods.Plural + "/log", "get"),
            .. Verbs(core, KubeResource.Services.Plural, "create", "delete"),
            .. Verbs(core, KubeResource.Secrets.Plural, "create", "delete"),
            new(core, KubeResource.PersistentVolumeClaims.Plural, "create"),
            .. Verbs(core, KubeResource.Events.Plural, "list", "watch"),
        ];
        if (options.NamespaceTemplate is not null)
        {
            needed.Add(new Permission(core, KubeResource.Namespaces.Plural, "create"));
        }
        return needed;
    }

    private static IEnumerable<Permission> Verbs(string group, string resource, params string[] verbs) =>
        verbs.Select(verb => new Permission(group, resource, verb));
}
