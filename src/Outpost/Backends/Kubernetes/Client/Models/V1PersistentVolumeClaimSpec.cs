using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>What storage a claim asks for.</summary>
public sealed record V1PersistentVolumeClaimSpec
{
    public List<string>? AccessModes { get; set; }

    public string? StorageClassName { get; set; }

    public V1ResourceRequirements? Resources { get; set; }

    public V1LabelSelector? Selector { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
