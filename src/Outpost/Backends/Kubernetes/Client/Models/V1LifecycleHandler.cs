using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One lifecycle hook. exec is typed; httpGet and others are kept as extension data.</summary>
public sealed record V1LifecycleHandler
{
    public V1ExecAction? Exec { get; set; }

    /// <summary>Fields this model does not type, kept so that a read-modify-write loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
