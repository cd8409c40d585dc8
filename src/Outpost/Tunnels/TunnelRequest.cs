namespace Outpost.Tunnels;

/// <summary>The JSON body of <c>PUT /tunnels/{serverId}</c>, as sent; <see cref="TunnelSpecValidator"/> checks every field.</summary>
public sealed class TunnelRequest
{
    public string? BindAddress { get; set; }
    public int? LocalPort { get; set; }
    public string? RemoteHost { get; set; }
    public int? RemotePort { get; set; }
    public string? SshNode { get; set; }
    public int? SshPort { get; set; }
    public string? SshUser { get; set; }
    public string? SshKey { get; set; }
    public Dictionary<string, string>? SshOptions { get; set; }
}
