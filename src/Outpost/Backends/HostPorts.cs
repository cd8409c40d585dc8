using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Outpost.Servers;

namespace Outpost.Backends;

/// <summary>
/// Ports on this host for backends whose servers listen here (local processes, containers on the host network):
/// the one the hub asked for in <c>misc.port</c> when it is free, else one the kernel picks.
/// </summary>
public static class HostPorts
{
    /// <summary>The port <c>misc.port</c> asks for (0: any); the reason when it is not a port number, else null.</summary>
    public static string? Requested(ServerSpec spec, out int port)
    {
        port = 0;
        if (!spec.Misc.TryGetValue("port", out var requested) || requested.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return requested.ValueKind == JsonValueKind.Number && requested.TryGetInt32(out port) && port is >= 0 and <= 65535
            ? null
            : $"misc 'port' must be a whole number between 0 and 65535 (got {requested.GetRawText()}).";
    }

    /// <summary>The requested port when it is free on <paramref name="ip"/>, else a free one; throws for a bad request.</summary>
    public static int Choose(ServerSpec spec, string ip)
    {
        if (Requested(spec, out var port) is { } invalid)
        {
            throw new BackendException(invalid);
        }
        if (port > 0 && IsFree(ip, port))
        {
            return port;
        }
        using var listener = new TcpListener(IPAddress.Parse(ip), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(string ip, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(ip), port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
