using System.Text.Json.Nodes;

namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration (<c>Outpost:Flavors</c>), in the original Outpost's shape: named flavors,
/// hub sets that restrict or override them per hub, and user sets that do so per user. Read once and replaced as a
/// whole on reload, never changed in place: the <see cref="JsonObject"/> definitions are shared by every reader, so
/// code that needs a changed definition works on a <c>DeepClone()</c> (as <see cref="FlavorSelector"/> does).
/// </summary>
public sealed record FlavorConfig(
    IReadOnlyList<KeyValuePair<string, JsonObject>> Flavors,
    IReadOnlyList<HubFlavorSet> HubSets,
    IReadOnlyList<UserFlavorSet> UserSets,
    int GlobalMaxPerUser)
{
    public static readonly FlavorConfig Empty = new([], [], [], -1);

    /// <summary>Flavors are configured: starts are checked against them.</summary>
    public bool IsConfigured => Flavors.Count > 0;
}

/// <summary>A hub set: which hubs it applies to, which flavors they get, and per-flavor overrides.</summary>
public sealed record HubFlavorSet(
    string Name,
    NamePattern Hubs,
    int Weight,
    IReadOnlyList<string>? Flavors,
    IReadOnlyDictionary<string, JsonObject> Overrides);

/// <summary>A user set: matched on the user's authentication data (name, groups …) from the hub.</summary>
public sealed record UserFlavorSet(
    string Name,
    IReadOnlyList<string>? Hubs,
    IReadOnlyDictionary<string, NamePattern> Authentication,
    bool Negate,
    int Weight,
    bool Forbidden,
    IReadOnlyList<string>? Flavors,
    IReadOnlyDictionary<string, JsonObject> Overrides);
