using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// The Kubernetes calls the backend and its watches make, and nothing more: the seam between their logic
/// and the API. <see cref="KubeClient"/> makes them over HTTP; unit tests use an in-memory fake. Failures are
/// <see cref="KubeApiException"/>s naming the RBAC verb and resource.
/// </summary>
public interface IKubeApi
{
    /// <summary>The namespace the configuration names (kubeconfig context or service account), if any.</summary>
    string? DefaultNamespace { get; }

    /// <summary>Where the API server is, for messages.</summary>
    string Server { get; }

    Task<T> CreateAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>The object, or null when it does not exist.</summary>
    Task<T?> GetAsync<T>(string ns, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    Task<KubeList<T>> ListAsync<T>(string ns, string? labelSelector = null, string? fieldSelector = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Deletes the object; false when it did not exist.</summary>
    Task<bool> DeleteAsync<T>(string ns, string name, long? gracePeriodSeconds, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Creates a namespace (cluster-scoped); false when it already existed.</summary>
    Task<bool> CreateNamespaceAsync(string name, IDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>Whether the caller may do what <paramref name="attributes"/> names (a SelfSubjectAccessReview; creates nothing).</summary>
    Task<V1SubjectAccessReviewStatus> ReviewAccessAsync(V1ResourceAttributes attributes, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="tailLines"/> lines a pod's container wrote.</summary>
    Task<string> ReadLogAsync(string ns, string pod, string container, int tailLines, CancellationToken cancellationToken);

    /// <summary>
    /// Streams changes from <paramref name="resourceVersion"/> on; ends when the server closes the stream. An ERROR
    /// event is thrown as <see cref="KubeApiException"/> (410 when the version is too old). <paramref name="opened"/>
    /// runs once the watch is accepted, before any event.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(
        string ns,
        string? resourceVersion,
        string? labelSelector = null,
        string? fieldSelector = null,
        int timeoutSeconds = 300,
        CancellationToken cancellationToken = default,
        Action? opened = null)
        where T : class, IKubernetesObject<V1ObjectMeta>;
}
