using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>The JSON conventions of the Kubernetes API: camelCase names, absent rather than null fields.</summary>
public static class KubeJson
{
    /// <summary>
    /// Options whose resolvers are generated code only: the backend's settings (<see cref="KubeJsonContext"/>) first,
    /// then every Kubernetes model of the client library (<c>k8s.SourceGenerationContext</c>).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(KubeJsonContext.Default, k8s.SourceGenerationContext.Default),
    };

    /// <summary>
    /// The generated serialization code for <typeparamref name="T"/>; throws <see cref="NotSupportedException"/> for a
    /// type neither context knows (the unit tests reach every type the Outpost uses).
    /// </summary>
    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>A deep copy through JSON, so a template taken from options can be changed without touching the options.</summary>
    public static T Clone<T>(T value) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, Info<T>()), Info<T>())!;
}
