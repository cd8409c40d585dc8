using System.Net;
using System.Text.RegularExpressions;

namespace Outpost.Tunnels;

/// <summary>
/// Checks a <see cref="TunnelRequest"/> with the same rules the plugin applies (plugin/outpostspawner/ssh.py):
/// host names or IP addresses only, ports 1..65535, POSIX-style user names, absolute key paths, and only
/// allow-listed <c>-o</c> options, so nothing a caller sends can make ssh run a command.
/// </summary>
public static partial class TunnelSpecValidator
{
    /// <summary>
    /// The only <c>-o</c> options a caller may set. An allow-list rather than the plugin's deny-list: the service
    /// is reachable over the network, and none of these runs a command or reads another config file.
    /// </summary>
    public static readonly IReadOnlySet<string> AllowedOptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "ServerAliveInterval", "ServerAliveCountMax", "ConnectTimeout", "StrictHostKeyChecking",
        "UserKnownHostsFile", "Compression", "TCPKeepAlive", "IPQoS", "HostKeyAlias", "AddressFamily",
    };

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex ServerIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_.,:/@+=-]{1,256}$")]
    private static partial Regex OptionValuePattern();

    public static TunnelSpec Validate(string serverId, TunnelRequest request)
    {
        if (!ServerIdPattern().IsMatch(serverId ?? ""))
        {
            throw new TunnelInputException("serverId", "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        var bind = request.BindAddress ?? "127.0.0.1";
        if (!IPAddress.TryParse(bind, out _))
        {
            throw new TunnelInputException("bindAddress", "must be an IP address");
        }
        var key = request.SshKey;
        if (key is not null && (!key.StartsWith('/') || key.Contains('\n') || key.Contains('\0') || key.Contains("/../") || key.Length > 4096))
        {
            throw new TunnelInputException("sshKey", "must be an absolute file path");
        }
        var user = request.SshUser ?? "";
        if (!UserPattern().IsMatch(user))
        {
            throw new TunnelInputException("sshUser", "must match ^[a-z_][a-z0-9_-]{0,31}$");
        }
        return new TunnelSpec(
            serverId!,
            bind,
            Port(request.LocalPort, "localPort"),
            Host(request.RemoteHost, "remoteHost"),
            Port(request.RemotePort, "remotePort"),
            Host(request.SshNode, "sshNode"),
            Port(request.SshPort ?? 22, "sshPort"),
            user,
            key,
            Options(request.SshOptions));
    }

    public static bool IsHost(string? host)
    {
        if (string.IsNullOrEmpty(host) || host.Length > 253)
        {
            return false;
        }
        if (IPAddress.TryParse(host, out _))
        {
            // TryParse accepts "1" or "0x1"; only the forms ssh reads the same way count.
            return host.Contains('.') || host.Contains(':');
        }
        return host.TrimEnd('.').Split('.').All(label => LabelPattern().IsMatch(label)) && !host.StartsWith('-');
    }

    private static string Host(string? host, string field) =>
        IsHost(host) ? host! : throw new TunnelInputException(field, "must be a host name or IP address");

    private static int Port(int? port, string field) =>
        port is >= 1 and <= 65535 ? port.Value : throw new TunnelInputException(field, "must be an integer in 1..65535");

    private static Dictionary<string, string> Options(Dictionary<string, string>? options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in options ?? [])
        {
            if (!AllowedOptions.Contains(name))
            {
                throw new TunnelInputException("sshOptions", $"option '{name}' is not allowed (allowed: {string.Join(", ", AllowedOptions.Order())})");
            }
            if (value is null || !OptionValuePattern().IsMatch(value))
            {
                throw new TunnelInputException("sshOptions", $"option '{name}' has an invalid value");
            }
            result[name] = value;
        }
        return result;
    }
}
