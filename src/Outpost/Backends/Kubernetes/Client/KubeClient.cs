using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// The Outpost's calls to one Kubernetes API server. The maintained client library (<c>KubernetesClient.Aot</c>)
/// supplies the configuration (kubeconfig with exec plugins, in-cluster service account) and the models; the few REST
/// calls are made here, on an <see cref="HttpClient"/> set up from that configuration (<see cref="KubeHttp"/>), and
/// read and written with <see cref="KubeJsonContext"/>, which knows only the models the Outpost uses. The library's
/// typed client would bring its serializer for every model of every API group into the executable. Every failure
/// becomes a <see cref="KubeApiException"/>.
/// </summary>
public sealed class KubeClient : IKubeApi, IDisposable
{
    private const string MergePatch = "application/merge-patch+json";

    private readonly HttpClient _http;
    private readonly string _base;
    private readonly TimeSpan _requestTimeout;

    public KubeClient(KubernetesClientConfiguration config, TimeSpan? requestTimeout = null)
    {
        Config = config;
        _base = KubeHttp.BaseAddress(config);
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        // Watches stay open for minutes on the same HttpClient; each request gets its own deadline instead.
        _http = new HttpClient(KubeHttp.CreateHandler(config)) { Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(config.UserAgent))
        {
            _http.DefaultRequestHeaders.UserAgent.ParseAdd(config.UserAgent);
        }
    }

    public KubernetesClientConfiguration Config { get; }

    public string? DefaultNamespace => Config.Namespace;

    public string Server => Config.Host;

    /// <summary>The configuration of a kubeconfig file (its current context unless <paramref name="context"/> names one).</summary>
    public static KubernetesClientConfiguration FromKubeConfig(string path, string? context = null) =>
        KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);

    /// <summary>The service account of the pod the Outpost runs in; its token is read again when the kubelet rotates it.</summary>
    public static KubernetesClientConfiguration InCluster()
    {
        if (!KubernetesClientConfiguration.IsInCluster())
        {
            throw new InvalidOperationException(
                "Not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set or the " +
                "service-account token is missing. Configure a kubeconfig file instead.");
        }
        var config = KubernetesClientConfiguration.InClusterConfig();
        config.TokenProvider = new ServiceAccountToken("/var/run/secrets/kubernetes.io/serviceaccount/token");
        return config;
    }

    public Task<T> CreateAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        return SendAsync("create", resource.Plural, ns, obj.Metadata?.Name, HttpMethod.Post, resource.Path(ns),
            () => Json(obj, KubeJson.Info<T>()), KubeJson.Info<T>(), cancellationToken);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(string ns, string name, CancellationToken cancellationToken) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        try
        {
            return await SendAsync("get", resource.Plural, ns, name, HttpMethod.Get, resource.Path(ns, name), null, KubeJson.Info<T>(), cancellationToken);
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
        var path = resource.Path(ns) + Query(("labelSelector", labelSelector), ("fieldSelector", fieldSelector));
        return SendAsync("list", resource.Plural, ns, null, HttpMethod.Get, path, null, KubeJson.Info<KubeList<T>>(), cancellationToken);
    }

    /// <summary>PATCH with a JSON merge patch (RFC 7386, <c>application/merge-patch+json</c>).</summary>
    public Task<T> PatchAsync<T>(string ns, string name, JsonNode mergePatch, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        return SendAsync("patch", resource.Plural, ns, name, HttpMethod.Patch, resource.Path(ns, name),
            () => new StringContent(mergePatch.ToJsonString(), Encoding.UTF8, MergePatch), KubeJson.Info<T>(), cancellationToken);
    }

    /// <summary>Deletes the object; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync<T>(string ns, string name, long? gracePeriodSeconds, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResource.Of<T>();
        var path = resource.Path(ns, name) + Query(("gracePeriodSeconds", gracePeriodSeconds?.ToString(CultureInfo.InvariantCulture)));
        try
        {
            // The answer is the object being deleted or a Status, depending on the kind: only its success matters.
            await SendAsync("delete", resource.Plural, ns, name, HttpMethod.Delete, path, null, KubeJson.Info<JsonElement>(), cancellationToken);
            return true;
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
            ApiVersion = KubeResource.Namespaces.ApiVersion,
            Kind = KubeResource.Namespaces.Kind,
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        };
        try
        {
            await SendAsync("create", KubeResource.Namespaces.Plural, "", name, HttpMethod.Post, "/api/v1/namespaces",
                () => Json(body, KubeJson.Info<V1Namespace>()), KubeJson.Info<V1Namespace>(), cancellationToken);
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
        var info = KubeJson.Info<V1SelfSubjectAccessReview>();
        var answer = await SendAsync("create", "selfsubjectaccessreviews", "", null, HttpMethod.Post,
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", () => Json(review, info), info, cancellationToken);
        return answer?.Status ?? new V1SubjectAccessReviewStatus { Reason = "the API server's answer had no status" };
    }

    /// <summary>The last <paramref name="tailLines"/> lines a pod's container wrote.</summary>
    public Task<string> ReadLogAsync(string ns, string pod, string container, int tailLines, CancellationToken cancellationToken)
    {
        var path = KubeResource.Pods.Path(ns, pod, "log") +
                   Query(("container", container), ("tailLines", tailLines.ToString(CultureInfo.InvariantCulture)));
        return CallAsync("get", "pods/log", ns, pod, HttpMethod.Get, path, null, "text/plain",
            (content, ct) => content.ReadAsStringAsync(ct), cancellationToken);
    }

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
            ("timeoutSeconds", timeoutSeconds.ToString(CultureInfo.InvariantCulture)),
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

    public void Dispose() => _http.Dispose();

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
            var status = obj.Deserialize(KubeJson.Info<V1Status>());
            throw new KubeApiException((HttpStatusCode)(status?.Code ?? 500), "watch", resource.Plural, ns, null, status);
        }
        return new WatchEvent<T> { Type = type, Object = obj.Deserialize(KubeJson.Info<T>()) };
    }

    private async Task<HttpResponseMessage> OpenWatchAsync(string path, string plural, string ns, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = await RequestAsync(HttpMethod.Get, path, null, "application/json", cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
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

    private Task<TResult> SendAsync<TResult>(
        string verb, string resource, string ns, string? name, HttpMethod method, string path, Func<HttpContent>? body,
        JsonTypeInfo<TResult> answer, CancellationToken cancellationToken) =>
        CallAsync(verb, resource, ns, name, method, path, body, "application/json",
            async (content, ct) =>
            {
                await using var stream = await content.ReadAsStreamAsync(ct);
                return await JsonSerializer.DeserializeAsync(stream, answer, ct) ??
                       throw new JsonException($"The API server answered {verb} {resource} with null.");
            }, cancellationToken);

    /// <summary>
    /// One request under this client's deadline; failures become <see cref="KubeApiException"/>s. A 401 is retried once:
    /// a rotated token file or an exec plugin's new token is then fetched again.
    /// </summary>
    private async Task<TResult> CallAsync<TResult>(
        string verb, string resource, string ns, string? name, HttpMethod method, string path, Func<HttpContent>? body, string accept,
        Func<HttpContent, CancellationToken, Task<TResult>> read, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                using var request = await RequestAsync(method, path, body?.Invoke(), accept, deadline.Token);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return await read(response.Content, deadline.Token);
                }
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    continue; // once more with fresh credentials
                }
                var text = await response.Content.ReadAsStringAsync(deadline.Token);
                throw new KubeApiException(response.StatusCode, verb, resource, ns, name, ParseStatus(text));
            }
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
        catch (JsonException e)
        {
            throw new KubeApiException(HttpStatusCode.BadGateway, verb, resource, ns, name,
                new V1Status { Message = $"the answer is not the JSON expected: {e.Message}" }, e);
        }
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, HttpContent? content, string accept, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(_base + path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        try
        {
            await KubeHttp.AuthorizeAsync(Config, request, cancellationToken);
        }
        catch
        {
            request.Dispose();
            throw;
        }
        return request;
    }

    private static HttpContent Json<T>(T value, JsonTypeInfo<T> info)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, info));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
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
            var status = JsonSerializer.Deserialize(body, KubeJson.Info<V1Status>());
            return status?.Kind == "Status" || status?.Message is not null || status?.Reason is not null ? status : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Query(params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}")
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
