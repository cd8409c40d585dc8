using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The subset of a Service spec Outpost sets.</summary>
public sealed record V1ServiceSpec
{
    public string? Type { get; set; }

    public Dictionary<string, string>? Selector { get; set; }

    public List<V1ServicePort>? Ports { get; set; }

    public string? ClusterIP { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
