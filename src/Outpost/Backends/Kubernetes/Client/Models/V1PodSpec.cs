using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The desired state of a pod: the subset Outpost sets or reads.</summary>
public sealed record V1PodSpec
{
    public List<V1Container>? Containers { get; set; }

    public List<V1Container>? InitContainers { get; set; }

    public List<V1Volume>? Volumes { get; set; }

    public string? RestartPolicy { get; set; }

    public string? NodeName { get; set; }

    public Dictionary<string, string>? NodeSelector { get; set; }

    public List<V1Toleration>? Tolerations { get; set; }

    public V1Affinity? Affinity { get; set; }

    public string? ServiceAccountName { get; set; }

    public bool? AutomountServiceAccountToken { get; set; }

    public V1PodSecurityContext? SecurityContext { get; set; }

    public List<V1LocalObjectReference>? ImagePullSecrets { get; set; }

    public string? PriorityClassName { get; set; }

    public string? SchedulerName { get; set; }

    public long? TerminationGracePeriodSeconds { get; set; }

    public bool? EnableServiceLinks { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
