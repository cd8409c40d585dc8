namespace Outpost.Tunnels;

/// <summary>
/// One forward the tunnel service keeps: <c>BindAddress:LocalPort</c> here reaches <c>RemoteHost:RemotePort</c>
/// through an OpenSSH master to <c>SshUser@SshNode:SshPort</c>. Built only by <see cref="TunnelSpecValidator"/>.
/// </summary>
public sealed record TunnelSpec(
    string ServerId,
    string BindAddress,
    int LocalPort,
    string RemoteHost,
    int RemotePort,
    string SshNode,
    int SshPort,
    string SshUser,
    string? SshKey,
    IReadOnlyDictionary<string, string> SshOptions)
{
    /// <summary>The <c>-L</c> argument; IPv6 addresses in brackets.</summary>
    public string ForwardSpec => $"{Bracket(BindAddress)}:{LocalPort}:{Bracket(RemoteHost)}:{RemotePort}";

    /// <summary>Forwards sharing a node, port, user and key share one master.</summary>
    public string MasterKey => $"{SshUser}@{SshNode}:{SshPort}:{SshKey}";

    /// <summary>
    /// Field by field, the options by content (the record's own equality compares the dictionary by reference, so
    /// a repeated PUT of the same forward would look like a change and cut its open connections).
    /// </summary>
    public bool SameForwardAs(TunnelSpec other) =>
        this with { SshOptions = other.SshOptions } == other
        && SshOptions.Count == other.SshOptions.Count
        && SshOptions.All(pair => other.SshOptions.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>Two forwards cannot both listen on this port: same port, and the same or a wildcard address.</summary>
    public bool ListensLike(TunnelSpec other) =>
        LocalPort == other.LocalPort && (BindAddress == other.BindAddress || IsWildcard(BindAddress) || IsWildcard(other.BindAddress));

    private static bool IsWildcard(string address) => address is "0.0.0.0" or "::";

    private static string Bracket(string host) => host.Contains(':') ? $"[{host}]" : host;
}
