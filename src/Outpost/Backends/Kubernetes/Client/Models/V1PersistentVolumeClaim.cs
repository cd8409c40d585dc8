using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A PersistentVolumeClaim (core/v1).</summary>
public sealed record V1PersistentVolumeClaim : IKubeObject
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public V1PersistentVolumeClaimSpec? Spec { get; set; }

    public V1PersistentVolumeClaimStatus? Status { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
