using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>Where a kind lives in the REST API: its group, version and plural, as RBAC rules name them too.</summary>
public sealed record KubeResource(string Group, string Version, string Plural, string Kind)
{
    public static readonly KubeResource Pods = new("", "v1", "pods", "Pod");
    public static readonly KubeResource Services = new("", "v1", "services", "Service");
    public static readonly KubeResource PersistentVolumeClaims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim");
    public static readonly KubeResource Secrets = new("", "v1", "secrets", "Secret");
    public static readonly KubeResource Events = new("", "v1", "events", "Event");
    public static readonly KubeResource Namespaces = new("", "v1", "namespaces", "Namespace");

    /// <summary>"v1" for the core group, "group/version" otherwise: the <c>apiVersion</c> of objects of this kind.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The collection path in a namespace, or one object's path when <paramref name="name"/> is given.</summary>
    public string Path(string ns, string? name = null, string? subresource = null)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        var path = $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}";
        if (name is not null)
        {
            path += "/" + Uri.EscapeDataString(name);
        }
        return subresource is null ? path : path + "/" + subresource;
    }

    /// <summary>The resource of a model type.</summary>
    public static KubeResource Of<T>() => typeof(T) switch
    {
        var t when t == typeof(V1Pod) => Pods,
        var t when t == typeof(V1Service) => Services,
        var t when t == typeof(V1PersistentVolumeClaim) => PersistentVolumeClaims,
        var t when t == typeof(V1Secret) => Secrets,
        var t when t == typeof(Corev1Event) => Events,
        var t when t == typeof(V1Namespace) => Namespaces,
        var t => throw new ArgumentException($"{t.Name} is not a Kubernetes kind this client knows."),
    };
}
