using System.Text.Json;
using System.Text.Json.Nodes;

namespace Outpost.Flavors;

/// <summary>
/// Which flavors a hub, and a user of that hub, may use, and with which settings. Layering:
/// global flavors → the first matching hub set (filter, overrides) → the heaviest matching user set
/// (filter over all flavors, overrides on top of the hub's). Pure: config and input in, flavors out.
/// </summary>
public static class FlavorSelector
{
    /// <summary>The hub's flavors in configuration order; empty when flavors are not configured.</summary>
    public static IReadOnlyList<KeyValuePair<string, JsonObject>> ForHub(FlavorConfig config, string hub)
    {
        var hubSet = config.HubSets.FirstOrDefault(s => s.Hubs.Matches(hub));
        var result = new List<KeyValuePair<string, JsonObject>>();
        foreach (var (name, definition) in config.Flavors)
        {
            if (hubSet?.Flavors is { } allowed && !allowed.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }
            result.Add(new(name, Overlay(definition, hubSet?.Overrides.GetValueOrDefault(name))));
        }
        return result;
    }

    /// <summary>
    /// The user's flavors, or null when a user set forbids this user everything. Without matching user
    /// sets (or without authentication data) the user gets the hub's flavors.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, JsonObject>>? ForUser(FlavorConfig config, string hub, JsonElement? authentication)
    {
        var hubFlavors = ForHub(config, hub);
        var attributes = Attributes(authentication);
        if (attributes.Count == 0 || config.UserSets.Count == 0)
        {
            return hubFlavors;
        }
        UserFlavorSet? chosen = null;
        foreach (var set in config.UserSets)
        {
            if (set.Hubs is { } hubs && !hubs.Contains(hub, StringComparer.Ordinal))
            {
                continue;
            }
            var matches = set.Authentication.Any(p => attributes.TryGetValue(p.Key, out var values) && p.Value.MatchesAny(values));
            if (matches != set.Negate && (chosen is null || set.Weight >= chosen.Weight))
            {
                chosen = set; // ties go to the later set
            }
        }
        if (chosen is null)
        {
            return hubFlavors;
        }
        if (chosen.Forbidden)
        {
            return null;
        }
        var hubLayer = hubFlavors.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var result = new List<KeyValuePair<string, JsonObject>>();
        foreach (var (name, definition) in config.Flavors)
        {
            if (chosen.Flavors is { } allowed && !allowed.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }
            var baseDefinition = hubLayer.GetValueOrDefault(name) ?? definition;
            result.Add(new(name, Overlay(baseDefinition, chosen.Overrides.GetValueOrDefault(name))));
        }
        return result;
    }

    /// <summary>A copy of <paramref name="definition"/> with the keys of <paramref name="overrides"/> replaced.</summary>
    public static JsonObject Overlay(JsonObject definition, JsonObject? overrides)
    {
        var result = (JsonObject)definition.DeepClone();
        foreach (var (key, value) in overrides ?? [])
        {
            result[key] = value?.DeepClone();
        }
        return result;
    }

    private static Dictionary<string, List<string>> Attributes(JsonElement? authentication)
    {
        var attributes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (authentication is not { ValueKind: JsonValueKind.Object } data)
        {
            return attributes;
        }
        foreach (var property in data.EnumerateObject())
        {
            attributes[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.Array => [.. property.Value.EnumerateArray().Select(Text)],
                _ => [Text(property.Value)],
            };
        }
        return attributes;
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
