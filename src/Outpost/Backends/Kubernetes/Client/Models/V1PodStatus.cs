using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The observed state of a pod.</summary>
public sealed record V1PodStatus
{
    public string? Phase { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? PodIP { get; set; }

    public string? HostIP { get; set; }

    public DateTimeOffset? StartTime { get; set; }

    public List<V1PodCondition>? Conditions { get; set; }

    public List<V1ContainerStatus>? ContainerStatuses { get; set; }

    public List<V1ContainerStatus>? InitContainerStatuses { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
