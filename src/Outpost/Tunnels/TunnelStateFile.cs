using System.Text.Json;

namespace Outpost.Tunnels;

/// <summary>
/// The forwards the service keeps, in one JSON file in its state directory. Written to a temporary file and
/// renamed, so a kill -9 in the middle leaves the old or the new list, never half of one.
/// </summary>
public sealed class TunnelStateFile(string path)
{
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    public IReadOnlyList<TunnelSpec> Load()
    {
        lock (_gate)
        {
            if (!File.Exists(Path))
            {
                return [];
            }
            var stored = JsonSerializer.Deserialize(File.ReadAllText(Path), TunnelJsonContext.Default.DictionaryStringTunnelRequest) ?? [];
            // Validated again: the file is input too, and a spec that no longer passes is not started.
            return stored.Select(pair => TunnelSpecValidator.Validate(pair.Key, pair.Value)).ToList();
        }
    }

    public void Save(IEnumerable<TunnelSpec> specs)
    {
        var stored = specs.ToDictionary(spec => spec.ServerId, ToRequest, StringComparer.Ordinal);
        lock (_gate)
        {
            var temporary = Path + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, stored, TunnelJsonContext.Default.DictionaryStringTunnelRequest);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path, overwrite: true);
        }
    }

    internal static TunnelRequest ToRequest(TunnelSpec spec) => new()
    {
        BindAddress = spec.BindAddress,
        LocalPort = spec.LocalPort,
        RemoteHost = spec.RemoteHost,
        RemotePort = spec.RemotePort,
        SshNode = spec.SshNode,
        SshPort = spec.SshPort,
        SshUser = spec.SshUser,
        SshKey = spec.SshKey,
        SshOptions = new Dictionary<string, string>(spec.SshOptions),
    };
}
