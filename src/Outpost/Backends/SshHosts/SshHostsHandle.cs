using System.Text.Json;
using System.Text.Json.Serialization;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// Where a server runs and how to reach it again: the host and the login (so a restarted Outpost can reconnect even
/// when the host left the configuration), the remote folder, the process (pid plus start time, since pids get reused)
/// and both ends of the forward (the local port stays the same, so the hub's tunnel target does not change).
/// </summary>
internal sealed record SshHostsHandle(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("sshPort")] int SshPort,
    [property: JsonPropertyName("knownHosts")] string KnownHostsFile,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("key")] string KeyFile,
    [property: JsonPropertyName("ownKey")] bool OwnKey,
    [property: JsonPropertyName("remoteDirectory")] string RemoteDirectory,
    [property: JsonPropertyName("resource")] string ResourceName,
    [property: JsonPropertyName("pid")] int Pid = 0,
    [property: JsonPropertyName("startTicks")] long StartTicks = 0,
    [property: JsonPropertyName("remotePort")] int RemotePort = 0,
    [property: JsonPropertyName("localPort")] int LocalPort = 0,
    [property: JsonPropertyName("serverIp")] string ServerIp = "127.0.0.1")
{
    public SshLogin Login => new(Address, SshPort, Account, KeyFile, KnownHostsFile);

    public string Directory => RemoteScripts.ServerDirectory(RemoteDirectory, ResourceName);

    public BackendHandle ToHandle() => new(JsonSerializer.Serialize(this, BackendHandleJsonContext.Default.SshHostsHandle));

    public static SshHostsHandle From(BackendHandle handle) =>
        JsonSerializer.Deserialize(handle.Data, BackendHandleJsonContext.Default.SshHostsHandle) ?? throw new InvalidDataException("Empty SSH hosts handle.");
}
