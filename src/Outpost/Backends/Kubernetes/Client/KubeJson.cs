using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>The JSON conventions of the Kubernetes API: camelCase names, absent rather than null fields.</summary>
public static class KubeJson
{
    /// <summary>Options whose only resolver is the generated <see cref="KubeJsonContext"/>.</summary>
    public static JsonSerializerOptions Options => KubeJsonContext.Default.Options;

    /// <summary>
    /// The generated serialization code for <typeparamref name="T"/>; throws <see cref="NotSupportedException"/> for a
    /// type missing from <see cref="KubeJsonContext"/> (the unit tests reach every type the Outpost uses).
    /// </summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>A deep copy through JSON, so a template taken from options can be changed without touching the options.</summary>
    public static T Clone<T>(T value) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, Info<T>()), Info<T>())!;
}
