using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A volume filled from a ConfigMap.</summary>
public sealed record V1ConfigMapVolumeSource
{
    public string? Name { get; set; }

    public int? DefaultMode { get; set; }

    public bool? Optional { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
