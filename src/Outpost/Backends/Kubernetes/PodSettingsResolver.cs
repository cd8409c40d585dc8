using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Outpost.Backends.Kubernetes.Client;
using Outpost.Backends.Kubernetes.Profiles;
using Outpost.Servers;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Resolves the pod settings (<see cref="KubernetesPodOptions"/>) of one server: the base <c>Pod</c> settings, then the profile the request selects, then the
/// hub's <c>misc</c> overrides (KubeSpawner trait names). Every misc value is checked for type and shape; a bad one
/// fails the start with a <see cref="BackendException"/> naming the key.
/// </summary>
public static partial class PodSettingsResolver
{
    private static readonly Dictionary<string, PropertyInfo> PropertiesByMiscKey = typeof(KubernetesPodOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .ToDictionary(p => MiscKey(p.Name), StringComparer.Ordinal);

    /// <summary>The misc key of an option: its name in snake_case, as KubeSpawner spells the trait (CpuLimit → cpu_limit).</summary>
    public static string MiscKey(string propertyName) => SnakeBoundary().Replace(propertyName, "_$1").ToLowerInvariant();

    /// <summary>All misc keys this backend understands.</summary>
    public static IReadOnlyCollection<string> MiscKeys => PropertiesByMiscKey.Keys;

    /// <summary>
    /// The settings of one server. <paramref name="hub"/> limits the profile list to the profiles that hub may use
    /// (null: all of them). An unknown profile or choice throws <see cref="BackendFieldException"/>.
    /// </summary>
    public static KubernetesPodOptions Resolve(KubernetesBackendOptions options, ServerSpec spec, string? hub = null)
    {
        var merged = JsonSerializer.SerializeToNode(options.Pod, KubeJson.Info<KubernetesPodOptions>())!;
        if (ProfileSelection.Select(options, spec, hub) is { } selected)
        {
            // KubeSpawner's order: the profile's kubespawner_override, then each chosen option's.
            foreach (var (overrides, source) in selected)
            {
                merged = KubernetesPodOptions.MergeNodes(merged, ParseOverrides(overrides, source));
            }
        }
        else if (!string.IsNullOrEmpty(spec.Profile))
        {
            if (!options.Profiles.TryGetValue(spec.Profile, out var profile))
            {
                var known = options.Profiles.Count == 0 ? "none" : string.Join(", ", options.Profiles.Keys.Order(StringComparer.Ordinal));
                throw new BackendException($"The profile '{spec.Profile}' is not configured for Kubernetes on this Outpost (configured: {known}).");
            }
            merged = KubernetesPodOptions.MergeNodes(merged, JsonSerializer.SerializeToNode(profile, KubeJson.Info<KubernetesPodOptions>())!);
        }
        merged = KubernetesPodOptions.MergeNodes(merged, ParseMisc(spec.Misc));
        var resolved = merged.Deserialize(KubeJson.Info<KubernetesPodOptions>())!;

        var errors = new List<string>();
        KubernetesPodOptionsValidator.ValidateResolved(resolved, p => "the setting " + MiscKey(p), errors);
        if (resolved.InternalSsl == true && spec.Certs is null)
        {
            errors.Add("misc.internal_ssl is true but the request carries no certs.");
        }
        if (errors.Count > 0)
        {
            throw new BackendException("The Kubernetes settings for this server do not fit together: " + string.Join(" ", errors));
        }
        return resolved;
    }

    /// <summary>The misc overrides as a JSON merge patch over the options (null resets a setting to its default).</summary>
    public static JsonObject ParseMisc(IReadOnlyDictionary<string, JsonElement> misc)
    {
        var errors = new List<string>();
        var patch = ParseOverrides(misc, key => "misc." + key, errors);
        if (errors.Count > 0)
        {
            throw new BackendException("The hub's overrides for the Kubernetes backend are not valid: " + string.Join(" ", errors));
        }
        return patch;
    }

    /// <summary>A profile's or choice's <c>kubespawner_override</c> as a merge patch; a bad one (changed since start-up) fails the start.</summary>
    private static JsonObject ParseOverrides(JsonObject overrides, string source)
    {
        var errors = new List<string>();
        var patch = ParseOverrides(Elements(overrides), key => $"{source}.{key}", errors);
        if (errors.Count > 0)
        {
            throw new BackendException("The selected profile's settings are not valid: " + string.Join(" ", errors));
        }
        return patch;
    }

    /// <summary>A <c>kubespawner_override</c> object as the trait-keyed values <see cref="ParseOverrides(IEnumerable{KeyValuePair{string, JsonElement}}, Func{string, string}, List{string})"/> reads.</summary>
    public static Dictionary<string, JsonElement> Elements(JsonObject overrides)
    {
        using var document = JsonDocument.Parse(overrides.ToJsonString());
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Trait-keyed overrides (misc or a profile's kubespawner_override) as a JSON merge patch over the options; each bad
    /// key or value adds an error naming it through <paramref name="name"/>.
    /// </summary>
    public static JsonObject ParseOverrides(IEnumerable<KeyValuePair<string, JsonElement>> overrides, Func<string, string> name, List<string> errors)
    {
        var patch = new JsonObject();
        var values = new KubernetesPodOptions();
        foreach (var (key, value) in overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!PropertiesByMiscKey.TryGetValue(key, out var property))
            {
                errors.Add($"{name(key)} is not a setting of the Kubernetes backend.");
                continue;
            }
            var jsonName = KubeJson.Options.PropertyNamingPolicy!.ConvertName(property.Name);
            if (value.ValueKind == JsonValueKind.Null)
            {
                patch[jsonName] = null;
                continue;
            }
            var node = Normalize(JsonNode.Parse(value.GetRawText())!, property.PropertyType);
            try
            {
                property.SetValue(values, node.Deserialize(KubeJson.Options.GetTypeInfo(property.PropertyType)));
                patch[jsonName] = node;
            }
            catch (JsonException e)
            {
                var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" (at {e.Path.TrimStart('$')})";
                errors.Add($"{name(key)} must be {Describe(property.PropertyType)}, not {Describe(value)}{where}.");
            }
        }
        KubernetesPodOptionsValidator.Validate(values, p => name(MiscKey(p)), errors);
        return patch;
    }

    /// <summary>
    /// Accepts what KubeSpawner accepts: a single string for a list of strings, numbers for strings (mem_limit: 1073741824,
    /// environment values), and image pull secrets as [{"name": ...}].
    /// </summary>
    private static JsonNode Normalize(JsonNode node, Type type)
    {
        if (type == typeof(List<string>))
        {
            if (node is JsonValue)
            {
                return new JsonArray(JsonValue.Create(ScalarText(node)));
            }
            if (node is JsonArray array)
            {
                return new JsonArray(array.Select(item =>
                    (JsonNode?)JsonValue.Create(item is JsonObject o && o["name"] is JsonValue name ? ScalarText(name) : item is JsonValue ? ScalarText(item) : null)
                    ?? item?.DeepClone()).ToArray());
            }
        }
        if (type == typeof(string) && node is JsonValue && node.GetValueKind() is JsonValueKind.Number)
        {
            return JsonValue.Create(ScalarText(node));
        }
        if (type == typeof(Dictionary<string, string>) && node is JsonObject map)
        {
            var result = new JsonObject();
            foreach (var (k, v) in map)
            {
                result[k] = v is JsonValue && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                    ? JsonValue.Create(ScalarText(v))
                    : v?.DeepClone();
            }
            return result;
        }
        return node;
    }

    private static string ScalarText(JsonNode node) =>
        node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();

    private static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t switch
        {
            _ when t == typeof(string) => "a string",
            _ when t == typeof(bool) => "true or false",
            _ when t == typeof(int) || t == typeof(long) => "a whole number",
            _ when t == typeof(double) => "a number",
            _ when t == typeof(List<string>) => "a list of strings",
            _ when t == typeof(List<long>) => "a list of whole numbers",
            _ when t == typeof(Dictionary<string, string>) => "an object of strings",
            _ when t == typeof(JsonObject) => "an object of Kubernetes fields",
            _ when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) => $"a list of {t.GetGenericArguments()[0].Name[2..]} objects",
            _ => $"a {t.Name[2..]} object",
        };
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex SnakeBoundary();
}
