using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s.Models;
using Microsoft.Extensions.Options;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Binds the Kubernetes section through JSON instead of the configuration binder: the pod settings hold the client
/// library's models (quantities, int-or-string ports, interface-typed collections), which the binder's source generator
/// cannot create. The section is turned into JSON guided by the generated JSON metadata of the options (so "true" becomes
/// a boolean where a boolean is expected, "8888" a number where a number is), then read with that same metadata.
/// Unknown keys are ignored, as the configuration binder does; a value of the wrong type fails naming its key.
/// The configured validators run afterwards as for any options.
/// </summary>
public sealed class KubernetesOptionsFactory(
    IConfigurationSection section,
    IEnumerable<IConfigureOptions<KubernetesBackendOptions>> setups,
    IEnumerable<IPostConfigureOptions<KubernetesBackendOptions>> postConfigures,
    IEnumerable<IValidateOptions<KubernetesBackendOptions>> validations)
    : OptionsFactory<KubernetesBackendOptions>(setups, postConfigures, validations)
{
    protected override KubernetesBackendOptions CreateInstance(string name) => Bind(section);

    /// <summary>The options a section describes; throws <see cref="InvalidOperationException"/> naming each key whose value does not fit.</summary>
    public static KubernetesBackendOptions Bind(IConfiguration section)
    {
        var errors = new List<string>();
        var node = ToJson(section, typeof(KubernetesBackendOptions), errors);
        var path = (section as IConfigurationSection)?.Path ?? "the configuration root";
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }
        try
        {
            return node.Deserialize(KubeJson.Info<KubernetesBackendOptions>()) ?? new KubernetesBackendOptions();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The configuration at '{path}' does not fit its settings: {e.Message}", e);
        }
    }

    private static JsonNode? ToJson(IConfiguration section, Type type, List<string> errors)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var children = section.GetChildren().ToList();
        if (target == typeof(JsonObject) || target == typeof(JsonNode))
        {
            return Untyped((IConfigurationSection)section);
        }
        var info = KubeJson.Options.GetTypeInfo(target);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when target != typeof(IntOrString) && target != typeof(ResourceQuantity):
                if (children.Count == 0)
                {
                    return Leaf((IConfigurationSection)section, target, errors, expectsObject: true);
                }
                var obj = new JsonObject();
                foreach (var child in children)
                {
                    var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
                    if (property is not null)
                    {
                        obj[property.Name] = ToJson(child, property.PropertyType, errors);
                    }
                }
                return obj;
            case JsonTypeInfoKind.Enumerable:
                var array = new JsonArray();
                foreach (var child in children.OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
                {
                    array.Add(ToJson(child, info.ElementType!, errors));
                }
                return children.Count == 0 ? Leaf((IConfigurationSection)section, target, errors, expectsObject: true) : array;
            case JsonTypeInfoKind.Dictionary:
                var map = new JsonObject();
                foreach (var child in children)
                {
                    map[child.Key] = ToJson(child, info.ElementType!, errors);
                }
                return children.Count == 0 ? Leaf((IConfigurationSection)section, target, errors, expectsObject: true) : map;
            default:
                if (children.Count > 0)
                {
                    errors.Add($"'{((IConfigurationSection)section).Path}' must be a single value, not a section.");
                    return null;
                }
                return Leaf((IConfigurationSection)section, target, errors, expectsObject: false);
        }
    }

    private static JsonNode? Leaf(IConfigurationSection section, Type type, List<string> errors, bool expectsObject)
    {
        var value = section.Value;
        if (string.IsNullOrEmpty(value))
        {
            return null; // an empty value unsets, as with the configuration binder
        }
        if (expectsObject)
        {
            errors.Add($"'{section.Path}' must be a section (a map or a list), not the value '{value}'.");
            return null;
        }
        if (type == typeof(bool))
        {
            if (bool.TryParse(value, out var b))
            {
                return JsonValue.Create(b);
            }
            errors.Add($"'{section.Path}' must be true or false, not '{value}'.");
            return null;
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                return JsonValue.Create(n);
            }
            errors.Add($"'{section.Path}' must be a whole number, not '{value}'.");
            return null;
        }
        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float))
        {
            if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return JsonValue.Create(d);
            }
            errors.Add($"'{section.Path}' must be a number, not '{value}'.");
            return null;
        }
        if (type == typeof(IntOrString) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port))
        {
            return JsonValue.Create(port); // a port number, not a port name
        }
        return JsonValue.Create(value);
    }

    /// <summary>
    /// A section without a typed shape (free-form pod or container fields): lists where every key is an index, maps
    /// otherwise; "true"/"false" and numbers become JSON booleans and numbers, everything else stays a string.
    /// </summary>
    private static JsonNode? Untyped(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            var value = section.Value;
            if (value is null)
            {
                return null;
            }
            if (bool.TryParse(value, out var b))
            {
                return JsonValue.Create(b);
            }
            return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(value);
        }
        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var array = new JsonArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                array.Add(Untyped(child));
            }
            return array;
        }
        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = Untyped(child);
        }
        return obj;
    }
}
