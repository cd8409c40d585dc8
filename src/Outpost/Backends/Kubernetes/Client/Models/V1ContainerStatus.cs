using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The observed state of one container.</summary>
public sealed record V1ContainerStatus
{
    public string? Name { get; set; }

    public bool? Ready { get; set; }

    public bool? Started { get; set; }

    public int? RestartCount { get; set; }

    public string? Image { get; set; }

    public string? ImageID { get; set; }

    public string? ContainerID { get; set; }

    public V1ContainerState? State { get; set; }

    public V1ContainerState? LastState { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
