using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Container security settings.</summary>
public sealed record V1SecurityContext
{
    public long? RunAsUser { get; set; }

    public long? RunAsGroup { get; set; }

    public bool? RunAsNonRoot { get; set; }

    public bool? Privileged { get; set; }

    public bool? AllowPrivilegeEscalation { get; set; }

    public bool? ReadOnlyRootFilesystem { get; set; }

    public V1Capabilities? Capabilities { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
