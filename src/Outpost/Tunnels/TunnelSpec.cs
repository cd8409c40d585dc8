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

    private static string Bracket(string host) => host.Contains(':') ? $"[{host}]" : host;
}
