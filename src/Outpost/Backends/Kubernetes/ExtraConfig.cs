using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// KubeSpawner's <c>extra_pod_config</c> and <c>extra_container_config</c>: after the pod is built, each top-level key
/// replaces that field of the pod's spec (or of the notebook container) whole. Keys may be spelled as in the API
/// (hostNetwork) or in snake_case (host_network); a key the object does not have is an error, as in KubeSpawner.
/// </summary>
public static class ExtraConfig
{
    /// <summary><paramref name="target"/> with <paramref name="changes"/> laid over it; throws <see cref="BackendException"/> naming the key.</summary>
    public static T Apply<T>(T target, JsonObject? changes, string field) where T : class
    {
        if (changes is null || changes.Count == 0)
        {
            return target;
        }
        var errors = new List<string>();
        var result = TryApply(target, changes, field, errors);
        if (result is null)
        {
            throw new BackendException(string.Join(" ", errors));
        }
        return result;
    }

    /// <summary>The errors <see cref="Apply{T}"/> would raise for <paramref name="changes"/> over an empty object.</summary>
    public static void Validate<T>(JsonObject? changes, string field, List<string> errors) where T : class, new()
    {
        if (changes is { Count: > 0 })
        {
            TryApply(new T(), changes, field, errors);
        }
    }

    private static T? TryApply<T>(T target, JsonObject changes, string field, List<string> errors) where T : class
    {
        var info = KubeJson.Info<T>();
        var node = JsonSerializer.SerializeToNode(target, info)!.AsObject();
        var before = errors.Count;
        foreach (var (key, value) in changes)
        {
            if (FieldName(info, key) is { } name)
            {
                node[name] = value?.DeepClone();
            }
            else
            {
                errors.Add($"{field}.{key} is not a field of {typeof(T).Name[2..]} (KubeSpawner refuses it too).");
            }
        }
        if (errors.Count > before)
        {
            return null;
        }
        try
        {
            return node.Deserialize(info);
        }
        catch (JsonException e)
        {
            var at = e.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "";
            errors.Add($"{field}{(at.Length > 0 ? "." + at : "")} does not have the shape Kubernetes expects: {e.Message.Split(" Path:")[0]}");
            return null;
        }
    }

    /// <summary>The API's name of a field given as in the API or in snake_case (host_ipc → hostIPC).</summary>
    private static string? FieldName(JsonTypeInfo info, string key)
    {
        var plain = key.Replace("_", "", StringComparison.Ordinal);
        return info.Properties.FirstOrDefault(p => p.Name == key)?.Name
               ?? info.Properties.FirstOrDefault(p => string.Equals(p.Name, plain, StringComparison.OrdinalIgnoreCase))?.Name;
    }
}
