using System.Text.Json;
using Outpost.Backends;
using Outpost.Servers;

namespace Outpost.Storage;

/// <summary>Turns specs and backend handles into encrypted bytes and back.</summary>
public sealed class ServerSpecCodec(SecretProtector protector)
{
    public byte[] Protect(ServerSpec spec) => protector.Protect(JsonSerializer.Serialize(spec, StorageJsonContext.Default.ServerSpec));

    public ServerSpec Unprotect(byte[] data) =>
        JsonSerializer.Deserialize(protector.Unprotect(data), StorageJsonContext.Default.ServerSpec)
        ?? throw new InvalidDataException("Stored server spec is empty.");

    public byte[] Protect(BackendHandle handle) => protector.Protect(handle.Data);

    public BackendHandle UnprotectHandle(byte[] data) => new(protector.Unprotect(data));
}
