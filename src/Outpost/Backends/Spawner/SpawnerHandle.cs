using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.Spawner;

/// <summary>
/// What rebuilds a server's spawner in any host, on any replica: the host's id for it, the spec it was started with
/// (without certificates and auth state, which are never stored) and the spawner's last <c>get_state()</c>.
/// Stored encrypted, like every handle: the spec's env holds the server's API token.
/// </summary>
internal sealed record SpawnerHandle(
    [property: JsonPropertyName("server")] string Server,
    [property: JsonPropertyName("spec")] JsonElement Spec,
    [property: JsonPropertyName("state")] JsonElement State)
{
    public BackendHandle ToHandle() => new(JsonSerializer.Serialize(this, BackendHandleJsonContext.Default.SpawnerHandle));

    public static SpawnerHandle From(BackendHandle handle) =>
        JsonSerializer.Deserialize(handle.Data, BackendHandleJsonContext.Default.SpawnerHandle) ?? throw new InvalidDataException("Empty spawner handle.");
}
