using System.Text.Json.Nodes;

namespace Outpost.Flavors;

/// <summary>Deep copies of flavor definitions: how <see cref="FlavorConfig"/> stays immutable while handing out <see cref="JsonObject"/>s.</summary>
internal static class JsonDefinitions
{
    public static IReadOnlyList<KeyValuePair<string, JsonObject>> Copy(IReadOnlyList<KeyValuePair<string, JsonObject>> definitions) =>
        [.. definitions.Select(d => new KeyValuePair<string, JsonObject>(d.Key, (JsonObject)d.Value.DeepClone()))];

    public static IReadOnlyDictionary<string, JsonObject> Copy(IReadOnlyDictionary<string, JsonObject> definitions) =>
        definitions.ToDictionary(d => d.Key, d => (JsonObject)d.Value.DeepClone(), StringComparer.Ordinal);
}
