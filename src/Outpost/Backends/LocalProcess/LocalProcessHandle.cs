using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.LocalProcess;

/// <summary>What identifies a local server process: its pid plus start time (pids get reused), and where it listens and logs.</summary>
internal sealed record LocalProcessHandle(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("startTicks")] long StartTicks,
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("log")] string LogFile)
{
    public BackendHandle ToHandle() => new(JsonSerializer.Serialize(this, BackendHandleJsonContext.Default.LocalProcessHandle));

    public static LocalProcessHandle From(BackendHandle handle) =>
        JsonSerializer.Deserialize(handle.Data, BackendHandleJsonContext.Default.LocalProcessHandle) ?? throw new InvalidDataException("Empty local process handle.");
}
