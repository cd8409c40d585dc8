using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Outpost.Backends.Containers.Docker.Models;

namespace Outpost.Backends.Containers.Docker;

/// <summary>
/// A thin typed client for the Docker Engine REST API (Docker, or Podman's compatible service), with only the calls
/// the container backend makes. Written here rather than taken from Docker.DotNet: that library serializes with
/// Newtonsoft.Json through reflection, which Native AOT with trimming cannot keep; these few calls with
/// source-generated JSON are smaller than the workarounds would be.
/// </summary>
public sealed class DockerClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;

    /// <summary>
    /// A client for <c>endpoint</c>: <c>unix:///path/to/socket</c>, or <c>tcp://host:port</c> with <c>tls</c> (mutual TLS).
    /// Every path is prefixed with <c>apiVersion</c> (e.g. "v1.41"); a call that takes longer than <c>requestTimeout</c> fails.
    /// </summary>
    public DockerClient(string endpoint, string apiVersion, TimeSpan requestTimeout, DockerTls? tls = null)
    {
        _requestTimeout = requestTimeout;
        var uri = new Uri(endpoint);
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        Uri baseAddress;
        if (uri.Scheme == "unix")
        {
            var path = uri.AbsolutePath;
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            baseAddress = new Uri($"http://docker/{apiVersion}/");
        }
        else
        {
            if (tls is null)
            {
                throw new ArgumentException("A tcp:// endpoint needs TLS settings.", nameof(tls));
            }
            handler.SslOptions = tls.ClientOptions();
            baseAddress = new Uri($"https://{uri.Host}:{uri.Port}/{apiVersion}/");
        }
        Endpoint = endpoint;
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Where the engine is, as configured.</summary>
    public string Endpoint { get; }

    /// <summary>GET /_ping: the engine answers "OK".</summary>
    public async Task<string> PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "_ping", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public Task<DockerVersion> VersionAsync(CancellationToken cancellationToken) =>
        GetAsync("version", DockerJsonContext.Default.DockerVersion, cancellationToken)!;

    /// <summary>The image, or null when the engine does not have it.</summary>
    public Task<DockerImage?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        GetOrNullAsync($"images/{Uri.EscapeDataString(image)}/json", DockerJsonContext.Default.DockerImage, cancellationToken);

    /// <summary>
    /// POST /images/create: pulls the image, passing each progress message on as it arrives. The engine answers 200
    /// at once and reports a failure inside the stream, so an <c>error</c> message is thrown as a <see cref="DockerApiException"/>.
    /// </summary>
    public async Task PullImageAsync(string image, Func<DockerPullMessage, ValueTask> onMessage, CancellationToken cancellationToken)
    {
        var (name, tag) = SplitTag(image);
        var path = $"images/create?fromImage={Uri.EscapeDataString(name)}&tag={Uri.EscapeDataString(tag)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            DockerPullMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(line, DockerJsonContext.Default.DockerPullMessage);
            }
            catch (JsonException)
            {
                continue; // a line this client does not understand is not a reason to fail a pull
            }
            if (message?.Error is { Length: > 0 } error)
            {
                throw new DockerApiException(HttpStatusCode.InternalServerError, error);
            }
            if (message is not null)
            {
                await onMessage(message);
            }
        }
    }

    /// <summary>POST /containers/create?name=...; the container's id.</summary>
    public async Task<string> CreateContainerAsync(string name, DockerContainerCreate body, CancellationToken cancellationToken)
    {
        var content = JsonContent(JsonSerializer.Serialize(body, DockerJsonContext.Default.DockerContainerCreate));
        using var response = await SendAsync(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", content, cancellationToken);
        var created = await ReadAsync(response, DockerJsonContext.Default.DockerCreated, cancellationToken);
        return created.Id;
    }

    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/start", null, cancellationToken, acceptNotModified: true);
    }

    /// <summary>The container, or null when there is none by that name or id.</summary>
    public Task<DockerContainer?> InspectContainerAsync(string id, CancellationToken cancellationToken) =>
        GetOrNullAsync($"containers/{Uri.EscapeDataString(id)}/json", DockerJsonContext.Default.DockerContainer, cancellationToken);

    /// <summary>The last <paramref name="tail"/> lines of the container's stdout and stderr, oldest first.</summary>
    public async Task<IReadOnlyList<string>> LogsAsync(string id, int tail, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"containers/{Uri.EscapeDataString(id)}/logs?stdout=1&stderr=1&tail={tail}", null, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return DockerLogStream.LastLines(body, tail);
    }

    /// <summary>POST /containers/{id}/stop: SIGTERM, then SIGKILL after <paramref name="graceSeconds"/>. A stopped or gone container is fine.</summary>
    public async Task StopContainerAsync(string id, int graceSeconds, CancellationToken cancellationToken)
    {
        try
        {
            // The engine holds the answer until the container ended: allow the grace period on top of the usual limit.
            using var _ = await SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/stop?t={graceSeconds}", null, cancellationToken,
                acceptNotModified: true, timeout: _requestTimeout + TimeSpan.FromSeconds(graceSeconds));
        }
        catch (DockerApiException e) when (e.IsNotFound)
        {
        }
    }

    /// <summary>DELETE /containers/{id}?force=true. Named volumes are kept (no <c>v</c>). A gone container is fine.</summary>
    public async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await SendAsync(HttpMethod.Delete, $"containers/{Uri.EscapeDataString(id)}?force=true", null, cancellationToken);
        }
        catch (DockerApiException e) when (e.IsNotFound)
        {
        }
    }

    /// <summary>All containers (running or not) that carry every one of <paramref name="labels"/>.</summary>
    public async Task<IReadOnlyList<DockerContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var filters = new Dictionary<string, List<string>> { ["label"] = [.. labels.Select(l => $"{l.Key}={l.Value}")] };
        var json = JsonSerializer.Serialize(filters, DockerJsonContext.Default.DictionaryStringListString);
        return await GetAsync($"containers/json?all=true&filters={Uri.EscapeDataString(json)}", DockerJsonContext.Default.ListDockerContainerSummary, cancellationToken);
    }

    /// <summary>The volume, or null when there is none by that name.</summary>
    public Task<DockerVolume?> InspectVolumeAsync(string name, CancellationToken cancellationToken) =>
        GetOrNullAsync($"volumes/{Uri.EscapeDataString(name)}", DockerJsonContext.Default.DockerVolume, cancellationToken);

    public void Dispose() => _http.Dispose();

    /// <summary>"repo/name:tag" → ("repo/name", "tag"); a digest stays in the name; no tag means "latest".</summary>
    public static (string Name, string Tag) SplitTag(string image)
    {
        if (image.Contains('@'))
        {
            return (image, "");
        }
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        return await ReadAsync(response, type, cancellationToken);
    }

    private async Task<T?> GetOrNullAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await GetAsync(path, type, cancellationToken);
        }
        catch (DockerApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, bool acceptNotModified = false, TimeSpan? timeout = null)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? _requestTimeout);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerApiException(HttpStatusCode.GatewayTimeout, $"The container engine at {Endpoint} did not answer {method} /{path.Split('?')[0]} in time.");
        }
        if (acceptNotModified && response.StatusCode == HttpStatusCode.NotModified)
        {
            return response;
        }
        try
        {
            await ThrowIfFailedAsync(response, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
        return response;
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(text, DockerJsonContext.Default.DockerError)?.Message;
        }
        catch (JsonException)
        {
        }
        throw new DockerApiException(response.StatusCode, (message ?? text).Trim() is { Length: > 0 } m ? m : $"HTTP {(int)response.StatusCode}");
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken)
            ?? throw new DockerApiException(response.StatusCode, "The container engine answered an empty document.");
    }

    private static StringContent JsonContent(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
