using System.Text.Json.Nodes;
using Outpost.Storage;

namespace Outpost.Flavors;

/// <summary>Flavor definitions with their usage (<c>current</c>): the answer of <c>/flavors</c> and of usage updates.</summary>
public sealed class FlavorUsage(FlavorCatalog catalog, IServerStore store)
{
    /// <summary>The hub's flavors with the hub's current usage of each.</summary>
    public async Task<JsonObject> ForHubAsync(string hub, CancellationToken cancellationToken) =>
        WithUsage(FlavorSelector.ForHub(catalog.Current, hub), await store.CountActiveByFlavorAsync(hub, cancellationToken));

    /// <summary>The user's flavors with the hub's current usage; empty when the user may use none.</summary>
    public async Task<JsonObject> ForUserAsync(string hub, System.Text.Json.JsonElement? authentication, CancellationToken cancellationToken)
    {
        var flavors = FlavorSelector.ForUser(catalog.Current, hub, authentication);
        return flavors is null ? [] : WithUsage(flavors, await store.CountActiveByFlavorAsync(hub, cancellationToken));
    }

    private static JsonObject WithUsage(IReadOnlyList<KeyValuePair<string, JsonObject>> flavors, IReadOnlyDictionary<string, int> counts)
    {
        var result = new JsonObject();
        foreach (var (name, definition) in flavors)
        {
            var entry = (JsonObject)definition.DeepClone();
            entry["current"] = counts.GetValueOrDefault(name);
            result[name] = entry;
        }
        return result;
    }
}
