using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using YamlDotNet.RepresentationModel;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>The discovery documents kubectl reads before it makes a request, and seeding from YAML manifests.</summary>
public sealed partial class FakeKubeApiServer
{
    /// <summary>
    /// Creates every object of a (multi-document) YAML manifest. Scalars that YAML would read as numbers or
    /// booleans become JSON numbers and booleans, so a manifest reads as kubectl would send it.
    /// </summary>
    public void SeedYaml(string yaml, string ns = "default")
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        foreach (var document in stream.Documents)
        {
            if (ToJson(document.RootNode) is not JsonObject obj)
            {
                continue;
            }
            var kind = obj["kind"]?.GetValue<string>() ?? throw new InvalidOperationException("A seeded object has no kind.");
            var plural = KnownResources.First(r => r.Value.Kind == kind).Key;
            var objNs = obj["metadata"]?["namespace"]?.GetValue<string>() ?? ns;
            var status = obj["status"]?.DeepClone();
            var created = Create(plural, objNs, obj);
            if (status is not null)
            {
                Update(plural, objNs, created["metadata"]!["name"]!.GetValue<string>(), o => o["status"] = status);
            }
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when s.Value is "true" or "false" => JsonValue.Create(s.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when s.Value is "null" or "~" or "" => null,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when long.TryParse(s.Value, out var n) => JsonValue.Create(n),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => null,
    };

    private async Task DiscoveryAsync(HttpContext context, string path)
    {
        JsonNode? body = path.TrimEnd('/') switch
        {
            "/version" => new JsonObject
            {
                ["major"] = "1", ["minor"] = "30", ["gitVersion"] = "v1.30.0-outpost-fake", ["platform"] = "linux/amd64",
            },
            "/api" => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
                {
                    ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = $"{Address.Host}:{Address.Port}",
                }),
            },
            "/apis" => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(new JsonObject
                {
                    ["name"] = "coordination.k8s.io",
                    ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = "coordination.k8s.io/v1", ["version"] = "v1" }),
                    ["preferredVersion"] = new JsonObject { ["groupVersion"] = "coordination.k8s.io/v1", ["version"] = "v1" },
                }),
            },
            "/api/v1" => ResourceList("v1", KnownResources.Where(r => r.Value.ApiVersion == "v1").Select(r => r.Key)),
            "/apis/coordination.k8s.io/v1" => ResourceList("coordination.k8s.io/v1", ["leases"]),
            _ => null,
        };
        if (body is null)
        {
            await WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource", null, "");
            return;
        }
        await WriteJsonAsync(context, 200, body);
    }

    private static JsonObject ResourceList(string groupVersion, IEnumerable<string> plurals)
    {
        var verbs = new[] { "create", "delete", "get", "list", "patch", "update", "watch" };
        var resources = new JsonArray();
        foreach (var plural in plurals)
        {
            resources.Add(new JsonObject
            {
                ["name"] = plural,
                ["singularName"] = KnownResources[plural].Kind.ToLowerInvariant(),
                ["namespaced"] = true,
                ["kind"] = KnownResources[plural].Kind,
                ["verbs"] = JsonSerializer.SerializeToNode(verbs),
            });
            if (plural == "pods")
            {
                resources.Add(new JsonObject
                {
                    ["name"] = "pods/log", ["singularName"] = "", ["namespaced"] = true, ["kind"] = "Pod",
                    ["verbs"] = new JsonArray("get"),
                });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        };
    }
}
