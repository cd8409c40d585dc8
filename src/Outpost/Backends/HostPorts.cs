using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Outpost.Servers;

namespace Outpost.Backends;

/// <summary>
/// Ports on this host for backends whose servers listen here (local processes, containers on the host network):
/// the one the hub asked for in <c>misc.port</c> when it is free, else one the kernel picks.
/// </summary>
/// <remarks>
/// A port is only tried (bound and closed again) here; the server binds it later. With hundreds of starts at once,
/// the kernel handed the same free port to two starts before either server had bound it, and one server failed
/// (bench/hubscale, 400 starts). A port handed out is therefore not handed out again for <see cref="HoldFor"/>,
/// by then its server listens on it or has failed.
/// A port is picked below the kernel's ephemeral range when there is room: a port in that range can become the
/// local end of an outgoing connection before the server binds it, even of the readiness probe's own connection
/// (a TCP self-connect: the probe's source port chosen equal to the closed port it connects to). Both made a
/// server fail to bind (exit 1) after the probe had seen its port "listening" (bench/hubscale, 1 in 600 starts).
/// </remarks>
public static class HostPorts
{
    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(2);

    /// <summary>Below: well-known services (a hub's 8000 and 8081, databases) more often listen there.</summary>
    public const int LowestPort = 10000;

    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
    private static readonly ConcurrentDictionary<int, long> HandedOut = new();

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
    public static int Choose(ServerSpec spec, string ip) => Choose(spec, ip, EphemeralStart());

    /// <summary>As <see cref="Choose(ServerSpec,string)"/>, with the first port of the kernel's ephemeral range given.</summary>
    internal static int Choose(ServerSpec spec, string ip, int ephemeralStart)
    {
        if (Requested(spec, out var port) is { } invalid)
        {
            throw new BackendException(invalid);
        }
        var now = Environment.TickCount64;
        ForgetOld(now);
        if (port > 0 && IsFree(ip, port))
        {
            HandedOut[port] = now;  // asked for by name: the hub's choice, even when handed out lately
            return port;
        }
        if (ephemeralStart - 1 > LowestPort)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var candidate = Random.Shared.Next(LowestPort, ephemeralStart);
                if (!HandedOut.ContainsKey(candidate) && IsFree(ip, candidate) && HandedOut.TryAdd(candidate, now))
                {
                    return candidate;
                }
            }
        }
        // No room below the range (or nothing free there): the kernel's pick.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Parse(ip), 0);
            listener.Start();
            var picked = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(picked, now))
            {
                return picked;
            }
        }
        throw new BackendException("No free port on this host that was not just handed to another server.");
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux's default when it cannot be read).</summary>
    internal static int EphemeralStart()
    {
        try
        {
            var fields = File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields.Length == 2 && int.TryParse(fields[0], out var low) ? low : 32768;
        }
        catch (IOException)
        {
            return 32768;
        }
        catch (UnauthorizedAccessException)
        {
            return 32768;
        }
    }

    private static void ForgetOld(long now)
    {
        foreach (var (port, at) in HandedOut)
        {
            if (now - at > (long)HoldFor.TotalMilliseconds)
            {
                HandedOut.TryRemove(new KeyValuePair<int, long>(port, at));
            }
        }
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
