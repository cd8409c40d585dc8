using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>Namespaces (cluster-scoped): created by POST /api/v1/namespaces, 409 AlreadyExists the second time.</summary>
public sealed partial class FakeKubeApiServer
{
    private const string NamespacesPath = "/api/v1/namespaces";

    private readonly ConcurrentDictionary<string, JsonObject> _namespaces = new(StringComparer.Ordinal);

    /// <summary>The namespaces created through the API, with their labels.</summary>
    public IReadOnlyDictionary<string, JsonObject> Namespaces => _namespaces;

    private async Task CreateNamespaceAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var name = body?["metadata"]?["name"]?.GetValue<string>();
        if (body is null || string.IsNullOrEmpty(name))
        {
            await WriteStatusAsync(context, 422, "Invalid", "Namespace \"\" is invalid: metadata.name: Required value", null, "namespaces");
            return;
        }
        body["metadata"]!["uid"] = Guid.NewGuid().ToString();
        body["metadata"]!["creationTimestamp"] = Now();
        body["status"] = new JsonObject { ["phase"] = "Active" };
        if (!_namespaces.TryAdd(name, body))
        {
            await WriteStatusAsync(context, 409, "AlreadyExists", $"namespaces \"{name}\" already exists", name, "namespaces");
            return;
        }
        await WriteJsonAsync(context, 201, body.DeepClone());
    }
}
