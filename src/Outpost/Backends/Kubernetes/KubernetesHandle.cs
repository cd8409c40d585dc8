using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes;

/// <summary>What the Kubernetes backend persists about a server: enough to find, poll and remove its objects after a restart.</summary>
public sealed record KubernetesHandle(
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("pod")] string Pod,
    [property: JsonPropertyName("service")] string? Service,
    [property: JsonPropertyName("secret")] string? Secret,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("grace")] int DeleteGracePeriodSeconds,
    [property: JsonPropertyName("uid")] string? PodUid = null)
{
    public BackendHandle ToBackendHandle() => new(JsonSerializer.Serialize(this, BackendHandleJsonContext.Default.KubernetesHandle));

    public static KubernetesHandle From(BackendHandle handle)
    {
        try
        {
            return JsonSerializer.Deserialize(handle.Data, BackendHandleJsonContext.Default.KubernetesHandle)
                ?? throw new BackendException("The stored Kubernetes handle is empty.");
        }
        catch (JsonException e)
        {
            throw new BackendException("The stored handle is not a Kubernetes handle.", e);
        }
    }
}
