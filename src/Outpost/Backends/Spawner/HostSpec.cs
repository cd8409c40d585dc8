using System.Text.Json;
using System.Text.Json.Nodes;

namespace Outpost.Backends.Spawner;

/// <summary>The <c>spec</c> of the host protocol: the server as the hub asked for it, as the original gives it to a spawner.</summary>
internal static class HostSpec
{
    /// <summary>The spec to store in the handle: no certificates, no trust bundles, no auth state.</summary>
    public static JsonElement ForStorage(BackendStartRequest request, JsonObject? flavor) =>
        ToElement(writer => Write(writer, request, flavor, withSecrets: false));

    /// <summary>Writes the spec for a start: with the certificates and the auth state the hub sent.</summary>
    public static void WriteForStart(Utf8JsonWriter writer, BackendStartRequest request, JsonObject? flavor) =>
        Write(writer, request, flavor, withSecrets: true);

    /// <summary>Writes a stored spec with the auth state the hub sent last (the host merges it into its spawner's user).</summary>
    public static void WriteStored(Utf8JsonWriter writer, JsonElement stored, IReadOnlyDictionary<string, string> authState)
    {
        writer.WriteStartObject();
        foreach (var property in stored.EnumerateObject())
        {
            if (property.Name != "auth_state")
            {
                property.WriteTo(writer);
            }
        }
        WriteMap(writer, "auth_state", authState);
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, BackendStartRequest request, JsonObject? flavor, bool withSecrets)
    {
        var (key, spec) = (request.Key, request.Spec);
        writer.WriteStartObject();
        writer.WriteString("hub", key.Hub);
        writer.WriteString("name", key.Name);
        writer.WriteString("start_id", key.StartId);
        WriteMap(writer, "env", spec.Env);
        WriteElements(writer, "user_options", spec.UserOptions);
        WriteElements(writer, "misc", spec.Misc);
        writer.WritePropertyName("flavor");
        if (flavor is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            flavor.WriteTo(writer);
        }
        writer.WritePropertyName("certs");
        if (withSecrets && spec.Certs is { } certs)
        {
            writer.WriteStartObject();
            writer.WriteString("keyfile", certs.KeyFile);
            writer.WriteString("certfile", certs.CertFile);
            writer.WriteString("cafile", certs.CaFile);
            writer.WriteEndObject();
            WriteMap(writer, "trust_bundles", certs.TrustBundles);
        }
        else
        {
            writer.WriteNullValue();
        }
        WriteMap(writer, "auth_state", withSecrets ? request.AuthState ?? Empty : Empty);
        writer.WriteString("work_dir", request.WorkDirectory);
        writer.WriteEndObject();
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static void WriteMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }

    private static void WriteElements(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, JsonElement> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static JsonElement ToElement(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
