using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>The JSON conventions of the Kubernetes API: camelCase names, absent rather than null fields, RFC 3339 times.</summary>
public static class KubeJson
{
    /// <summary>The options of <see cref="KubeJsonContext"/>: generated code only, for the types that context lists.</summary>
    public static JsonSerializerOptions Options => KubeJsonContext.Default.Options;

    /// <summary>
    /// The generated serialization code for <typeparamref name="T"/>; throws <see cref="NotSupportedException"/> for a
    /// type the context does not know (the unit tests reach every type the Outpost uses).
    /// </summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>A deep copy through JSON, so a template taken from options can be changed without touching the options.</summary>
    public static T Clone<T>(T value) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, Info<T>()), Info<T>())!;
}
