using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A volume filled from a Secret.</summary>
public sealed record V1SecretVolumeSource
{
    public string? SecretName { get; set; }

    public int? DefaultMode { get; set; }

    public bool? Optional { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
