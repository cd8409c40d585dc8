using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One container of a pod.</summary>
public sealed record V1Container
{
    public string? Name { get; set; }

    public string? Image { get; set; }

    public string? ImagePullPolicy { get; set; }

    public List<string>? Command { get; set; }

    public List<string>? Args { get; set; }

    public string? WorkingDir { get; set; }

    public List<V1EnvVar>? Env { get; set; }

    public List<V1ContainerPort>? Ports { get; set; }

    public V1ResourceRequirements? Resources { get; set; }

    public List<V1VolumeMount>? VolumeMounts { get; set; }

    public V1SecurityContext? SecurityContext { get; set; }

    public V1Lifecycle? Lifecycle { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
