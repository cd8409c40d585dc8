using System.Net;
using System.Net.Sockets;

namespace Outpost.IntegrationTests;

/// <summary>
/// HTTP handlers whose connections come from another loopback address (127.0.0.2 …), so a test can play a second
/// client machine: the Outpost limits failed logins per client address.
/// </summary>
public static class LoopbackSource
{
    public static SocketsHttpHandler Handler(string sourceAddress) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        MaxConnectionsPerServer = 32,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
