using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A pod volume. The common sources are typed; any other source is kept as extension data.</summary>
public sealed record V1Volume
{
    public string? Name { get; set; }

    public V1PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; set; }

    public V1ConfigMapVolumeSource? ConfigMap { get; set; }

    public V1SecretVolumeSource? Secret { get; set; }

    public V1EmptyDirVolumeSource? EmptyDir { get; set; }

    public V1HostPathVolumeSource? HostPath { get; set; }

    public V1NfsVolumeSource? Nfs { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
