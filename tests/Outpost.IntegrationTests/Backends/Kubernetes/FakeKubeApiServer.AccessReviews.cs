using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// SelfSubjectAccessReviews (authorization.k8s.io/v1), as <c>outpost check</c> sends them: everything is allowed
/// except what a test denies with <see cref="Deny"/>; the answer echoes the review with its status, as the real API does.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    public const string AccessReviewPath = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

    private readonly ConcurrentDictionary<(string Group, string Resource, string Verb), bool> _denied = new();

    /// <summary>From now on, reviews of <paramref name="verb"/> on <paramref name="resource"/> (e.g. "pods/log") answer not allowed.</summary>
    public void Deny(string verb, string resource, string group = "") => _denied[(group, resource, verb)] = true;

    private async Task AccessReviewAsync(HttpContext context)
    {
        var review = await ReadBodyAsync(context) ?? [];
        var attributes = review["spec"]?["resourceAttributes"] as JsonObject ?? [];
        string Text(string key) => attributes[key]?.GetValue<string>() ?? "";
        var resource = Text("subresource") is { Length: > 0 } sub ? $"{Text("resource")}/{sub}" : Text("resource");
        var denied = _denied.ContainsKey((Text("group"), resource, Text("verb")));
        review["status"] = denied
            ? new JsonObject { ["allowed"] = false, ["reason"] = "no RBAC policy matched" }
            : new JsonObject { ["allowed"] = true, ["reason"] = "RBAC: allowed by RoleBinding \"outpost\"" };
        await WriteJsonAsync(context, 201, review);
    }
}
