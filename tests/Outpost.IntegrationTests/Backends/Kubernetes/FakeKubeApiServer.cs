using k8s;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// A Kubernetes API server stand-in on 127.0.0.1 (Kestrel, port 0) speaking the real core/v1 and coordination/v1
/// REST shapes: namespaced create/get/list/replace/patch/delete, label and field selectors, a global
/// resourceVersion, watch streams (one JSON event per line, flushed), 409/404/410 Status bodies, pod logs,
/// SelfSubjectAccessReviews and enough discovery for kubectl. Tests drive pods through their life with the hooks in the partial files,
/// and inject faults (an HTTP status for the next matching requests, dropped watches, compaction).
/// </summary>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    private static readonly Regex ObjectPath = new(
        "^/(?<root>api/v1|apis/coordination\\.k8s\\.io/v1)(?:/namespaces/(?<ns>[^/]+))?/(?<plural>[a-z]+)(?:/(?<name>[^/]+)(?:/(?<sub>[a-z]+))?)?$",
        RegexOptions.Compiled);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeFault> _faults = new();

    private FakeKubeApiServer(WebApplication app) => _app = app;

    /// <summary>Base address, e.g. http://127.0.0.1:40123.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>A client configuration pointing at this server, without credentials.</summary>
    public KubernetesClientConfiguration Config => new() { Host = Address.ToString(), Namespace = "default" };

    /// <summary>
    /// When set, every request must carry <c>Authorization: Bearer</c> this token, as a real API server checks it;
    /// others are answered 401 with a Status body. Null (the default) lets every request in.
    /// </summary>
    public string? RequiredToken { get; set; }

    /// <summary>Every request received, in order: method, path and query, and the RBAC verb and resource it needs.</summary>
    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>Starts the fake on a free port; with <paramref name="tlsCertificate"/> it speaks HTTPS only, as API servers do.</summary>
    public static async Task<FakeKubeApiServer> StartAsync(X509Certificate2? tlsCertificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (tlsCertificate is not null)
            {
                listen.UseHttps(tlsCertificate);
            }
        }));
        var app = builder.Build();
        var server = new FakeKubeApiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Address = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>
    /// Answers the next <paramref name="times"/> requests with this method whose path contains <paramref name="pathContains"/>
    /// with <paramref name="statusCode"/> and a Status body (403 in the apiserver's wording).
    /// </summary>
    public void Fail(string method, string pathContains, int statusCode, int times = 1) =>
        _faults.Enqueue(new FakeFault(method, pathContains, statusCode, times));

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        DeleteKubeconfigs();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var query = request.Query;
        var watch = query["watch"] is var w && (w == "true" || w == "1");
        var match = ObjectPath.Match(path);
        var plural = match.Success ? match.Groups["plural"].Value : "";
        var ns = match.Success && match.Groups["ns"].Success ? match.Groups["ns"].Value : null;
        var name = match.Success && match.Groups["name"].Success ? Uri.UnescapeDataString(match.Groups["name"].Value) : null;
        var sub = match.Success && match.Groups["sub"].Success ? match.Groups["sub"].Value : null;
        var verb = RbacVerb(request.Method, name is not null, watch);
        var resource = sub is null ? plural : $"{plural}/{sub}";
        Requests.Enqueue(new FakeRequest(request.Method, path, request.QueryString.Value ?? "", verb, resource,
            request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null));

        if (RequiredToken is { } token && request.Headers.Authorization.ToString() != $"Bearer {token}")
        {
            await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized", name, plural);
            return;
        }
        if (TakeFault(request.Method, path + request.QueryString.Value) is { } code)
        {
            await WriteStatusAsync(context, code, Reason(code), FaultMessage(code, verb, resource, ns, name), name, plural);
            return;
        }
        if (request.Method == "POST" && path == AccessReviewPath)
        {
            await AccessReviewAsync(context);
            return;
        }
        if (request.Method == "POST" && path == NamespacesPath)
        {
            await CreateNamespaceAsync(context);
            return;
        }
        if (!match.Success)
        {
            await DiscoveryAsync(context, path);
            return;
        }
        if (!KnownResources.ContainsKey(plural))
        {
            await WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource", name, plural);
            return;
        }
        switch (request.Method, name, sub, watch)
        {
            case ("GET", null, null, true):
                await WatchAsync(context, plural, ns, query["resourceVersion"], query["labelSelector"], query["fieldSelector"],
                    int.TryParse(query["timeoutSeconds"], out var timeout) ? timeout : 1800);
                return;
            case ("GET", null, null, false):
                await WriteJsonAsync(context, 200, List(plural, ns, query["labelSelector"], query["fieldSelector"]));
                return;
            case ("POST", null, null, _) when ns is not null:
                await CreateFromRequestAsync(context, plural, ns);
                return;
            case ("GET", not null, "log", _) when plural == "pods" && ns is not null:
                await WriteLogAsync(context, ns, name, int.TryParse(query["tailLines"], out var tail) ? tail : int.MaxValue);
                return;
            case ("GET", not null, null, _) when ns is not null:
                await WriteResultAsync(context, Get(plural, ns, name) is { } found ? (200, found) : NotFound(plural, name));
                return;
            case ("PUT", not null, null, _) when ns is not null:
                await WriteResultAsync(context, Replace(plural, ns, name, await ReadBodyAsync(context)));
                return;
            case ("PATCH", not null, null, _) when ns is not null:
                await WriteResultAsync(context, Patch(plural, ns, name, await ReadBodyAsync(context)));
                return;
            case ("DELETE", not null, null, _) when ns is not null:
                await WriteResultAsync(context, Delete(plural, ns, name));
                return;
            default:
                await WriteStatusAsync(context, 405, "MethodNotAllowed", $"{request.Method} is not supported on {path}", name, plural);
                return;
        }
    }

    private int? TakeFault(string method, string pathAndQuery)
    {
        foreach (var fault in _faults)
        {
            if (fault.Remaining > 0 && string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase) &&
                pathAndQuery.Contains(fault.PathContains, StringComparison.Ordinal) && fault.TryTake())
            {
                return fault.StatusCode;
            }
        }
        return null;
    }

    private static string RbacVerb(string method, bool hasName, bool watch) => method switch
    {
        "GET" when watch => "watch",
        "GET" => hasName ? "get" : "list",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => hasName ? "delete" : "deletecollection",
        _ => method.ToLowerInvariant(),
    };

    private static string Reason(int code) => code switch
    {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "AlreadyExists",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        _ => "InternalError",
    };

    private static string FaultMessage(int code, string verb, string resource, string? ns, string? name) => code switch
    {
        403 => $"{resource}{(name is null ? "" : $" \"{name}\"")} is forbidden: User \"system:serviceaccount:outpost:outpost\" " +
               $"cannot {verb} resource \"{resource}\" in API group \"\" in the namespace \"{ns}\"",
        409 => $"{resource} \"{name}\" already exists",
        410 => "too old resource version",
        _ => $"injected failure {code}",
    };

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync();
        return JsonNode.Parse(text) as JsonObject;
    }

    private static Task WriteResultAsync(HttpContext context, (int Code, JsonObject Body) result) =>
        WriteJsonAsync(context, result.Code, result.Body);

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message, string? name, string plural) =>
        WriteJsonAsync(context, code, Status(code, reason, message, name, plural));

    private static JsonObject Status(int code, string reason, string message, string? name, string plural)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (name is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["kind"] = plural };
        }
        return status;
    }

    private static (int, JsonObject) NotFound(string plural, string name) =>
        (404, Status(404, "NotFound", $"{plural} \"{name}\" not found", name, plural));

}
