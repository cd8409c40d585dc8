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

    /// <summary>
    /// The saved forwards, each validated again (the file is input too). An entry that no longer passes is left out
    /// and named in <see cref="TunnelStateLoad.Skipped"/>, so one bad entry does not stop the others from coming back.
    /// A file that is not a JSON object at all is moved aside (the next save would otherwise overwrite it).
    /// </summary>
    public TunnelStateLoad Load()
    {
        lock (_gate)
        {
            if (!File.Exists(Path))
            {
                return new TunnelStateLoad([], [], null);
            }
            Dictionary<string, JsonElement>? stored;
            try
            {
                stored = JsonSerializer.Deserialize(File.ReadAllText(Path), TunnelJsonContext.Default.DictionaryStringJsonElement);
            }
            catch (JsonException ex)
            {
                var aside = $"{Path}.unreadable-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
                File.Move(Path, aside, overwrite: true);
                return new TunnelStateLoad([], [], $"{ex.Message} (moved to {aside})");
            }
            var specs = new List<TunnelSpec>();
            var skipped = new List<TunnelStateSkip>();
            foreach (var (serverId, element) in stored ?? [])
            {
                try
                {
                    var request = element.Deserialize(TunnelJsonContext.Default.TunnelRequest)
                        ?? throw new TunnelInputException("body", "is null");
                    specs.Add(TunnelSpecValidator.Validate(serverId, request));
                }
                catch (JsonException ex)
                {
                    skipped.Add(new TunnelStateSkip(serverId, $"{ex.Path?.TrimStart('$', '.') ?? "entry"}: is not of the expected type"));
                }
                catch (TunnelInputException ex)
                {
                    skipped.Add(new TunnelStateSkip(serverId, ex.Message));
                }
            }
            return new TunnelStateLoad(specs, skipped, null);
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
