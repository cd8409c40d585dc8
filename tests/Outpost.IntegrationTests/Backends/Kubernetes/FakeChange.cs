using System.Text.Json.Nodes;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>One entry of the fake's change history, as a watch sends it.</summary>
internal sealed record FakeChange(long ResourceVersion, string Type, string Plural, string Namespace, JsonObject Object)
{
    public string Line() => new JsonObject { ["type"] = Type, ["object"] = Object.DeepClone() }.ToJsonString();
}
