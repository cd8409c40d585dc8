using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends.Kubernetes.Client.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// A small typed client for the handful of Kubernetes calls Outpost makes: create, get, list, replace, merge-patch
/// and delete of namespaced objects, watch streams and pod logs. Paths, verbs and JSON follow the real API.
/// </summary>
public sealed class KubeClient : IKubeApi, IDisposable
{
    private readonly HttpClient _http;
    private readonly KubeTokenSource _token;
    private readonly TimeSpan _requestTimeout;

    public KubeClient(KubeConfig config, TimeSpan? requestTimeout = null, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        Config = config;
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        _token = new KubeTokenSource(config.Token, config.TokenFile, time ?? TimeProvider.System);
        _http = new HttpClient(handler ?? CreateHandler(config), disposeHandler: true)
        {
            BaseAddress = config.Server,
            // Watches stay open for minutes; each request gets its own deadline instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public KubeConfig Config { get; }

    public string? DefaultNamespace => Config.Namespace;

    public string Server => Config.Server.ToString();

    public Task<T> CreateAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        return SendAsync<T>(HttpMethod.Post, resource.Path(ns), "create", resource.Plural, ns, obj.Metadata?.Name,
            JsonContent(obj), cancellationToken)!;
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(string ns, string name, CancellationToken cancellationToken) where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        try
        {
            return await SendAsync<T>(HttpMethod.Get, resource.Path(ns, name), "get", resource.Plural, ns, name, null, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Task<KubeList<T>> ListAsync<T>(
        string ns, string? labelSelector = null, string? fieldSelector = null, CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        var path = resource.Path(ns) + Query(("labelSelector", labelSelector), ("fieldSelector", fieldSelector));
        return SendAsync<KubeList<T>>(HttpMethod.Get, path, "list", resource.Plural, ns, null, null, cancellationToken)!;
    }

    /// <summary>PUT: replaces the object; the API refuses with 409 when its resourceVersion is stale.</summary>
    public Task<T> ReplaceAsync<T>(string ns, T obj, CancellationToken cancellationToken) where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        var name = obj.Metadata?.Name ?? throw new ArgumentException("The object has no name.", nameof(obj));
        return SendAsync<T>(HttpMethod.Put, resource.Path(ns, name), "update", resource.Plural, ns, name, JsonContent(obj), cancellationToken)!;
    }

    /// <summary>PATCH with a JSON merge patch (RFC 7386, <c>application/merge-patch+json</c>).</summary>
    public Task<T> PatchAsync<T>(string ns, string name, JsonNode mergePatch, CancellationToken cancellationToken) where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        var content = new StringContent(mergePatch.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        return SendAsync<T>(HttpMethod.Patch, resource.Path(ns, name), "patch", resource.Plural, ns, name, content, cancellationToken)!;
    }

    /// <summary>Deletes the object; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync<T>(string ns, string name, long? gracePeriodSeconds, CancellationToken cancellationToken)
        where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        var path = resource.Path(ns, name) + Query(("gracePeriodSeconds", gracePeriodSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            await SendAsync<JsonElement>(HttpMethod.Delete, path, "delete", resource.Plural, ns, name, null, cancellationToken);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Whether the caller may do what <paramref name="attributes"/> names (a SelfSubjectAccessReview; creates nothing).</summary>
    public async Task<V1SubjectAccessReviewStatus> ReviewAccessAsync(V1ResourceAttributes attributes, CancellationToken cancellationToken)
    {
        var review = new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = attributes } };
        var answer = await SendAsync<V1SelfSubjectAccessReview>(HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "create", "selfsubjectaccessreviews", "", null, JsonContent(review), cancellationToken);
        return answer?.Status ?? new V1SubjectAccessReviewStatus { Reason = "the API server's answer had no status" };
    }

    /// <summary>The last <paramref name="tailLines"/> lines a pod's container wrote.</summary>
    public async Task<string> ReadLogAsync(string ns, string pod, string container, int tailLines, CancellationToken cancellationToken)
    {
        var path = KubeResource.Pods.Path(ns, pod, "log") +
                   Query(("container", container), ("tailLines", tailLines.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead,
            "get", "pods/log", ns, pod, _requestTimeout, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
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
        where T : class, IKubeObject
    {
        var resource = KubeResource.Of<T>();
        var path = resource.Path(ns) + Query(
            ("watch", "true"),
            ("resourceVersion", resourceVersion),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("labelSelector", labelSelector),
            ("fieldSelector", fieldSelector));
        using var response = await SendRawAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead,
            "watch", resource.Plural, ns, null, null, cancellationToken);
        opened?.Invoke();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            WatchEvent<T>? watchEvent;
            try
            {
                watchEvent = JsonSerializer.Deserialize(line, KubeJson.Info<WatchEvent<T>>());
            }
            catch (JsonException)
            {
                // An ERROR event carries a Status, whose shape need not fit T ("status" is a string there).
                watchEvent = null;
            }
            if (watchEvent is null || watchEvent.Type == WatchEvent<T>.Error)
            {
                var error = JsonSerializer.Deserialize(line, KubeJson.Info<WatchEvent<V1Status>>());
                if (error?.Type != WatchEvent<T>.Error)
                {
                    throw new JsonException($"A watch line could not be read as {typeof(T).Name}: {line[..Math.Min(line.Length, 200)]}");
                }
                throw new KubeApiException((HttpStatusCode)(error.Object?.Code ?? 500), "watch", resource.Plural, ns, null, error.Object);
            }
            yield return watchEvent;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<T?> SendAsync<T>(
        HttpMethod method, string path, string verb, string resource, string ns, string? name, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, HttpCompletionOption.ResponseContentRead,
            verb, resource, ns, name, _requestTimeout, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, KubeJson.Info<T>(), cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(
        HttpMethod method, string path, HttpContent? content, HttpCompletionOption completion,
        string verb, string resource, string ns, string? name, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            deadline.CancelAfter(t);
        }
        // A body can be sent once; buffer it so a 401 retry after a token rotation can send it again.
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        var contentType = content?.Headers.ContentType;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (_token.Get(forceReread: attempt > 0) is { Length: > 0 } bearer)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = contentType;
            }
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, completion, deadline.Token);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KubeApiException(HttpStatusCode.GatewayTimeout, verb, resource, ns, name,
                    new V1Status { Message = $"no answer within {timeout?.TotalSeconds} s" }, e);
            }
            catch (HttpRequestException e)
            {
                throw new KubeApiException(HttpStatusCode.ServiceUnavailable, verb, resource, ns, name,
                    new V1Status { Message = $"cannot reach {Config.Server}: {e.Message}" }, e);
            }
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && _token.CanReread)
                {
                    continue;
                }
                V1Status? status = null;
                try
                {
                    status = await response.Content.ReadFromJsonAsync(KubeJson.Info<V1Status>(), cancellationToken);
                }
                catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
                {
                    // Not a Status body (a proxy's HTML page, say): the code alone has to do.
                }
                throw new KubeApiException(response.StatusCode, verb, resource, ns, name, status);
            }
        }
    }

    private static ByteArrayContent JsonContent<T>(T value)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, KubeJson.Info<T>()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Query(params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}")
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static SocketsHttpHandler CreateHandler(KubeConfig config)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            SslOptions = new SslClientAuthenticationOptions(),
        };
        if (config.ClientCertificate is { } clientCert)
        {
            handler.SslOptions.ClientCertificates = [clientCert];
        }
        if (config.SkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.CaCertificates.Count > 0)
        {
            var trust = config.CaCertificates;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }
                if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false; // name mismatch or no certificate: a private CA does not excuse those
                }
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trust);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }
        return handler;
    }
}
