using System.Text.Json.Nodes;

namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration (<c>Outpost:Flavors</c>), in the original Outpost's shape: named flavors,
/// hub sets that restrict or override them per hub, and user sets that do so per user. Immutable: it is shared by
/// every request and replaced as a whole on reload, so the <see cref="JsonObject"/> definitions it hands out are
/// copies (<see cref="JsonDefinitions"/>) that a reader may change without touching the configuration.
/// </summary>
public sealed record FlavorConfig(
    IReadOnlyList<KeyValuePair<string, JsonObject>> Flavors,
    IReadOnlyList<HubFlavorSet> HubSets,
    IReadOnlyList<UserFlavorSet> UserSets,
    int GlobalMaxPerUser)
{
    public static readonly FlavorConfig Empty = new([], [], [], -1);

    private readonly IReadOnlyList<KeyValuePair<string, JsonObject>> _flavors = JsonDefinitions.Copy(Flavors);

    /// <summary>The named flavor definitions, in configuration order (copies).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonObject>> Flavors => JsonDefinitions.Copy(_flavors);

    /// <summary>Flavors are configured: starts are checked against them.</summary>
    public bool IsConfigured => _flavors.Count > 0;
}

/// <summary>A hub set: which hubs it applies to, which flavors they get, and per-flavor overrides.</summary>
public sealed record HubFlavorSet(
    string Name,
    NamePattern Hubs,
    int Weight,
    IReadOnlyList<string>? Flavors,
    IReadOnlyDictionary<string, JsonObject> Overrides)
{
    private readonly IReadOnlyDictionary<string, JsonObject> _overrides = JsonDefinitions.Copy(Overrides);

    /// <summary>Per-flavor overrides of the definitions (copies).</summary>
    public IReadOnlyDictionary<string, JsonObject> Overrides => JsonDefinitions.Copy(_overrides);
}

/// <summary>A user set: matched on the user's authentication data (name, groups …) from the hub.</summary>
public sealed record UserFlavorSet(
    string Name,
    IReadOnlyList<string>? Hubs,
    IReadOnlyDictionary<string, NamePattern> Authentication,
    bool Negate,
    int Weight,
    bool Forbidden,
    IReadOnlyList<string>? Flavors,
    IReadOnlyDictionary<string, JsonObject> Overrides)
{
    private readonly IReadOnlyDictionary<string, JsonObject> _overrides = JsonDefinitions.Copy(Overrides);

    /// <summary>Per-flavor overrides of the definitions (copies).</summary>
    public IReadOnlyDictionary<string, JsonObject> Overrides => JsonDefinitions.Copy(_overrides);
}
