using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// The Outpost's calls to one Kubernetes API server, made through the maintained client (<c>KubernetesClient.Aot</c>):
/// its configuration (kubeconfig with exec plugins, in-cluster service account, token rotation), its models and its
/// typed operations. Its AOT build has no watch, so <see cref="WatchAsync{T}"/> streams on the library's own
/// <see cref="HttpClient"/> and credentials. Every failure becomes a <see cref="KubeApiException"/>.
/// </summary>
public sealed class KubeClient : IKubeApi, IDisposable
{
    private readonly k8s.Kubernetes _api;
    private readonly TimeSpan _requestTimeout;

    public KubeClient(KubernetesClientConfiguration config, TimeSpan? requestTimeout = null)
    {
        Config = config;
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        // Watches stay open for minutes on the same HttpClient; each request gets its own deadline instead.
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        _api = new k8s.Kubernetes(config);
    }

    public KubernetesClientConfiguration Config { get; }

    public string? DefaultNamespace => Config.Namespace;

    public string Server => Config.Host;

    /// <summary>The configuration of a kubeconfig file (its current context unless <paramref name="context"/> names one).</summary>
    public static KubernetesClientConfiguration FromKubeConfig(string path, string? context = null) =>
        KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);

    /// <summary>The service account of the pod the Outpost runs in.</summary>
    public static KubernetesClientConfiguration InCluster()
    {
        if (!KubernetesClientConfiguration.IsInCluster())
        {
            throw new InvalidOperationException(
                "Not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set or the " +
                "service-account token is missing. Configure a kubeconfig file instead.");
        }
        return KubernetesClientConfiguration.InClusterConfig();
    }

    public Task<T> CreateAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        return CallAsync<T>("create", resource.Plural, ns, obj.Metadata?.Name, obj switch
        {
            V1Pod pod => ct => As<T, V1Pod>(_api.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: ct)),
            V1Service service => ct => As<T, V1Service>(_api.CoreV1.CreateNamespacedServiceAsync(service, ns, cancellationToken: ct)),
            V1Secret secret => ct => As<T, V1Secret>(_api.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct)),
            V1PersistentVolumeClaim claim => ct =>
                As<T, V1PersistentVolumeClaim>(_api.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, ns, cancellationToken: ct)),
            V1Lease lease => ct => As<T, V1Lease>(_api.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns, cancellationToken: ct)),
            Corev1Event e => ct => As<T, Corev1Event>(_api.CoreV1.CreateNamespacedEventAsync(e, ns, cancellationToken: ct)),
            _ => throw new ArgumentException($"{typeof(T).Name} is not a kind this client creates."),
        }, cancellationToken);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(string ns, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        Func<CancellationToken, Task<T>> call = resource switch
        {
            _ when resource == KubeResource.Pods => ct => As<T, V1Pod>(_api.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Services => ct => As<T, V1Service>(_api.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Secrets => ct => As<T, V1Secret>(_api.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.PersistentVolumeClaims => ct =>
                As<T, V1PersistentVolumeClaim>(_api.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Leases => ct => As<T, V1Lease>(_api.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Events => ct => As<T, Corev1Event>(_api.CoreV1.ReadNamespacedEventAsync(name, ns, cancellationToken: ct)),
            _ => throw new ArgumentException($"{typeof(T).Name} is not a kind this client reads."),
        };
        try
        {
            return await CallAsync("get", resource.Plural, ns, name, call, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Task<KubeList<T>> ListAsync<T>(
        string ns, string? labelSelector = null, string? fieldSelector = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        Func<CancellationToken, Task<KubeList<T>>> call = resource switch
        {
            _ when resource == KubeResource.Pods => ct =>
                ToList<T, V1PodList, V1Pod>(_api.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: fieldSelector, labelSelector: labelSelector,
                    cancellationToken: ct)),
            _ when resource == KubeResource.Events => ct =>
                ToList<T, Corev1EventList, Corev1Event>(_api.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: fieldSelector, labelSelector: labelSelector,
                    cancellationToken: ct)),
            _ when resource == KubeResource.Services => ct =>
                ToList<T, V1ServiceList, V1Service>(_api.CoreV1.ListNamespacedServiceAsync(ns, fieldSelector: fieldSelector, labelSelector: labelSelector,
                    cancellationToken: ct)),
            _ when resource == KubeResource.Secrets => ct =>
                ToList<T, V1SecretList, V1Secret>(_api.CoreV1.ListNamespacedSecretAsync(ns, fieldSelector: fieldSelector, labelSelector: labelSelector,
                    cancellationToken: ct)),
            _ when resource == KubeResource.PersistentVolumeClaims => ct =>
                ToList<T, V1PersistentVolumeClaimList, V1PersistentVolumeClaim>(_api.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, fieldSelector: fieldSelector,
                    labelSelector: labelSelector, cancellationToken: ct)),
            _ when resource == KubeResource.Leases => ct =>
                ToList<T, V1LeaseList, V1Lease>(_api.CoordinationV1.ListNamespacedLeaseAsync(ns, fieldSelector: fieldSelector, labelSelector: labelSelector,
                    cancellationToken: ct)),
            _ => throw new ArgumentException($"{typeof(T).Name} is not a kind this client lists."),
        };
        return CallAsync("list", resource.Plural, ns, null, call, cancellationToken);
    }

    /// <summary>PUT: replaces the object; the API refuses with 409 when its resourceVersion is stale.</summary>
    public Task<T> ReplaceAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        var name = obj.Metadata?.Name ?? throw new ArgumentException("The object has no name.", nameof(obj));
        return CallAsync<T>("update", resource.Plural, ns, name, obj switch
        {
            V1Pod pod => ct => As<T, V1Pod>(_api.CoreV1.ReplaceNamespacedPodAsync(pod, name, ns, cancellationToken: ct)),
            V1Service service => ct => As<T, V1Service>(_api.CoreV1.ReplaceNamespacedServiceAsync(service, name, ns, cancellationToken: ct)),
            V1Secret secret => ct => As<T, V1Secret>(_api.CoreV1.ReplaceNamespacedSecretAsync(secret, name, ns, cancellationToken: ct)),
            V1Lease lease => ct => As<T, V1Lease>(_api.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct)),
            _ => throw new ArgumentException($"{typeof(T).Name} is not a kind this client replaces."),
        }, cancellationToken);
    }

    /// <summary>PATCH with a JSON merge patch (RFC 7386, <c>application/merge-patch+json</c>).</summary>
    public Task<T> PatchAsync<T>(string ns, string name, JsonNode mergePatch, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        var patch = new V1Patch(mergePatch.ToJsonString(), V1Patch.PatchType.MergePatch);
        Func<CancellationToken, Task<T>> call = resource switch
        {
            _ when resource == KubeResource.Pods => ct => As<T, V1Pod>(_api.CoreV1.PatchNamespacedPodAsync(patch, name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Services => ct => As<T, V1Service>(_api.CoreV1.PatchNamespacedServiceAsync(patch, name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Secrets => ct => As<T, V1Secret>(_api.CoreV1.PatchNamespacedSecretAsync(patch, name, ns, cancellationToken: ct)),
            _ when resource == KubeResource.Leases => ct => As<T, V1Lease>(_api.CoordinationV1.PatchNamespacedLeaseAsync(patch, name, ns, cancellationToken: ct)),
            _ => throw new ArgumentException($"{typeof(T).Name} is not a kind this client patches."),
        };
        return CallAsync("patch", resource.Plural, ns, name, call, cancellationToken);
    }

    /// <summary>Deletes the object; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync<T>(string ns, string name, long? gracePeriodSeconds, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        var grace = (int?)gracePeriodSeconds;
        Func<CancellationToken, Task<bool>> call = resource switch
        {
            _ when resource == KubeResource.Pods => ct =>
                Done(_api.CoreV1.DeleteNamespacedPodAsync(name, ns, gracePeriodSeconds: grace, cancellationToken: ct)),
            _ when resource == KubeResource.Services => ct =>
                Done(_api.CoreV1.DeleteNamespacedServiceAsync(name, ns, gracePeriodSeconds: grace, cancellationToken: ct)),
            _ when resource == KubeResource.Secrets => ct =>
                Done(_api.CoreV1.DeleteNamespacedSecretAsync(name, ns, gracePeriodSeconds: grace, cancellationToken: ct)),
            _ when resource == KubeResource.PersistentVolumeClaims => ct =>
                Done(_api.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, ns, gracePeriodSeconds: grace, cancellationToken: ct)),
            _ when resource == KubeResource.Leases => ct =>
                Done(_api.CoordinationV1.DeleteNamespacedLeaseAsync(name, ns, gracePeriodSeconds: grace, cancellationToken: ct)),
            _ => throw new ArgumentException($"{typeof(T).Name} is not a kind this client deletes."),
        };
        try
        {
            return await CallAsync("delete", resource.Plural, ns, name, call, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Creates a namespace (cluster-scoped); false when it already existed.</summary>
    public async Task<bool> CreateNamespaceAsync(string name, IDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var body = new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        };
        try
        {
            await CallAsync("create", "namespaces", "", name, ct => _api.CoreV1.CreateNamespaceAsync(body, cancellationToken: ct), cancellationToken);
            return true;
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            return false;
        }
    }

    /// <summary>Whether the caller may do what <paramref name="attributes"/> names (a SelfSubjectAccessReview; creates nothing).</summary>
    public async Task<V1SubjectAccessReviewStatus> ReviewAccessAsync(V1ResourceAttributes attributes, CancellationToken cancellationToken)
    {
        var review = new V1SelfSubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SelfSubjectAccessReview",
            Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = attributes },
        };
        var answer = await CallAsync("create", "selfsubjectaccessreviews", "", null,
            ct => _api.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct), cancellationToken);
        return answer?.Status ?? new V1SubjectAccessReviewStatus { Reason = "the API server's answer had no status" };
    }

    /// <summary>The last <paramref name="tailLines"/> lines a pod's container wrote.</summary>
    public Task<string> ReadLogAsync(string ns, string pod, string container, int tailLines, CancellationToken cancellationToken) =>
        CallAsync("get", "pods/log", ns, pod, async ct =>
        {
            await using var stream = await _api.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, tailLines: tailLines,
                cancellationToken: ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(ct);
        }, cancellationToken);

    /// <summary>
    /// Streams changes from <paramref name="resourceVersion"/> on (an empty one replays current objects as ADDED).
    /// The stream ends when the server closes it (e.g. after <paramref name="timeoutSeconds"/>); the caller reconnects from
    /// the last resourceVersion it saw. An ERROR event is thrown as <see cref="KubeApiException"/> (410 when the version is too old).
    /// <paramref name="opened"/> runs once the server has accepted the watch, before any event.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(
        string ns,
        string? resourceVersion,
        string? labelSelector = null,
        string? fieldSelector = null,
        int timeoutSeconds = 300,
        [EnumeratorCancellation] CancellationToken cancellationToken = default,
        Action? opened = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        var path = resource.Path(ns) + Query(
            ("watch", "true"),
            ("resourceVersion", resourceVersion),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("labelSelector", labelSelector),
            ("fieldSelector", fieldSelector));
        using var response = await OpenWatchAsync(path, resource.Plural, ns, cancellationToken);
        opened?.Invoke();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            yield return ReadWatchLine<T>(line, resource, ns);
        }
    }

    public void Dispose() => _api.Dispose();

    private static WatchEvent<T> ReadWatchLine<T>(string line, KubeResource resource, string ns)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is null || !root.TryGetProperty("object", out var obj))
        {
            throw new JsonException($"A watch line has no type or object: {line[..Math.Min(line.Length, 200)]}");
        }
        if (type == WatchEvent<T>.Error)
        {
            // An ERROR event carries a Status, not a T.
            var status = KubernetesJson.Deserialize<V1Status>(obj);
            throw new KubeApiException((HttpStatusCode)(status?.Code ?? 500), "watch", resource.Plural, ns, null, status);
        }
        return new WatchEvent<T> { Type = type, Object = KubernetesJson.Deserialize<T>(obj) };
    }

    private async Task<HttpResponseMessage> OpenWatchAsync(string path, string plural, string ns, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_api.BaseUri, path));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            HttpResponseMessage response;
            try
            {
                if (_api.Credentials is { } credentials)
                {
                    await credentials.ProcessHttpRequestAsync(request, cancellationToken);
                }
                response = await _api.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw Unreachable("watch", plural, ns, null, e);
            }
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    continue; // the credentials may have rotated since: the next request fetches them again
                }
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new KubeApiException(response.StatusCode, "watch", plural, ns, null, ParseStatus(body));
            }
        }
    }

    /// <summary>
    /// Runs one library call under this client's deadline and turns its failures into <see cref="KubeApiException"/>s.
    /// A 401 is retried once: a rotated token file or an exec plugin's new token is then fetched again.
    /// </summary>
    private async Task<TResult> CallAsync<TResult>(
        string verb, string resource, string ns, string? name, Func<CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call(deadline.Token);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // once more with fresh credentials
            }
            catch (HttpOperationException e)
            {
                var code = e.Response?.StatusCode ?? HttpStatusCode.InternalServerError;
                throw new KubeApiException(code, verb, resource, ns, name, ParseStatus(e.Response?.Content), e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KubeApiException(HttpStatusCode.GatewayTimeout, verb, resource, ns, name,
                    new V1Status { Message = $"no answer within {_requestTimeout.TotalSeconds} s" }, e);
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(verb, resource, ns, name, e);
            }
        }
    }

    private KubeApiException Unreachable(string verb, string resource, string ns, string? name, HttpRequestException e) =>
        new(HttpStatusCode.ServiceUnavailable, verb, resource, ns, name,
            new V1Status { Message = $"cannot reach {Config.Host}: {e.Message}" }, e);

    /// <summary>The API's Status body, or null when the answer was something else (a proxy's HTML page, say).</summary>
    private static V1Status? ParseStatus(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(body);
            return status?.Kind == "Status" || status?.Message is not null || status?.Reason is not null ? status : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<T> As<T, TModel>(Task<TModel> call) => (T)(object)(await call)!;

    private static async Task<KubeList<T>> ToList<T, TList, TItem>(Task<TList> call) where TList : IMetadata<V1ListMeta>, IItems<TItem>
    {
        var list = await call;
        return new KubeList<T> { Metadata = list.Metadata, Items = (list.Items ?? []).Cast<T>().ToList() };
    }

    private static async Task<bool> Done<TModel>(Task<TModel> call)
    {
        await call;
        return true;
    }

    private static string Query(params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}")
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
