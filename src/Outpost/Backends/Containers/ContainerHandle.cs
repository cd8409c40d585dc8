using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Containers;

/// <summary>What the container backend stores about a server: the container's name (stored before it exists) and where it listens.</summary>
public sealed record ContainerHandle(
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("port")] int Port)
{
    public BackendHandle ToBackendHandle() => new(JsonSerializer.Serialize(this, BackendHandleJsonContext.Default.ContainerHandle));

    public static ContainerHandle From(BackendHandle handle)
    {
        try
        {
            return JsonSerializer.Deserialize(handle.Data, BackendHandleJsonContext.Default.ContainerHandle) is { Container.Length: > 0 } h
                ? h
                : throw new BackendException("The stored handle is not a container handle.");
        }
        catch (JsonException e)
        {
            throw new BackendException("The stored handle is not a container handle.", e);
        }
    }
}
