using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Outpost.Backends.Kubernetes.Client;
using Outpost.Servers;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Resolves the settings of one server: the base <c>Pod</c> settings, then the profile the request selects, then the
/// hub's <c>misc</c> overrides (KubeSpawner trait names). Every misc value is checked for type and shape; a bad one
/// fails the start with a <see cref="BackendException"/> naming the key.
/// </summary>
public static partial class ServerSettings
{
    private static readonly Dictionary<string, PropertyInfo> PropertiesByMiscKey = typeof(KubernetesPodOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .ToDictionary(p => MiscKey(p.Name), StringComparer.Ordinal);

    /// <summary>The misc key of an option: its name in snake_case, as KubeSpawner spells the trait (CpuLimit → cpu_limit).</summary>
    public static string MiscKey(string propertyName) => SnakeBoundary().Replace(propertyName, "_$1").ToLowerInvariant();

    /// <summary>All misc keys this backend understands.</summary>
    public static IReadOnlyCollection<string> MiscKeys => PropertiesByMiscKey.Keys;

    public static KubernetesPodOptions Resolve(KubernetesBackendOptions options, ServerSpec spec)
    {
        var merged = JsonSerializer.SerializeToNode(options.Pod, KubeJson.Info<KubernetesPodOptions>())!;
        if (!string.IsNullOrEmpty(spec.Profile))
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
        var patch = new JsonObject();
        var values = new KubernetesPodOptions();
        var errors = new List<string>();
        foreach (var (key, value) in misc.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!PropertiesByMiscKey.TryGetValue(key, out var property))
            {
                errors.Add($"misc.{key} is not a setting of the Kubernetes backend.");
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
                errors.Add($"misc.{key} must be {Describe(property.PropertyType)}, not {Describe(value)}{where}.");
            }
        }
        KubernetesPodOptionsValidator.Validate(values, p => "misc." + MiscKey(p), errors);
        if (errors.Count > 0)
        {
            throw new BackendException("The hub's overrides for the Kubernetes backend are not valid: " + string.Join(" ", errors));
        }
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
