using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Servers;

namespace Outpost.Admin;

/// <summary>
/// Shows a backend handle without its secrets. A handle may carry them: the Spawner backend's holds the spawner's
/// state and the server's environment with its API token. Values of properties with secret-looking names
/// (<see cref="SecretRedactor.IsSecret"/>) are masked, whole, wherever they are nested, and the values of the server's secret
/// variables are masked wherever else they appear (a command line, a URL). A handle that is not JSON gets the latter.
/// </summary>
public static class HandleRedactor
{
    public static string Redact(string handle, IReadOnlyDictionary<string, string> env)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(handle);
        }
        catch (JsonException)
        {
            return SecretRedactor.Redact(handle, env);
        }
        return root is null ? handle : Redact(root, env)?.ToJsonString() ?? "null";
    }

    private static JsonNode? Redact(JsonNode? node, IReadOnlyDictionary<string, string> env)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    obj[name] = SecretRedactor.IsSecret(name) && value is not null
                        ? JsonValue.Create(SecretRedactor.Mask)
                        : Redact(value?.DeepClone(), env);
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Redact(array[i]?.DeepClone(), env);
                }
                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return JsonValue.Create(SecretRedactor.Redact(value.GetValue<string>(), env));
            default:
                return node;
        }
    }
}
