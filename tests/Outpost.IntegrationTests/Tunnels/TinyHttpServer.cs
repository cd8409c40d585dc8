using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Outpost.IntegrationTests.Tunnels;

/// <summary>An HTTP server on 127.0.0.1 that answers every request with <see cref="Body"/>: the "notebook server" behind the forward.</summary>
internal sealed class TinyHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public TinyHttpServer(string body)
    {
        Body = body;
        _listener.Start();
        _ = AcceptAsync();
    }

    public string Body { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var received = "";
                while (!received.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    received += Encoding.ASCII.GetString(buffer, 0, read);
                }
                var body = Encoding.UTF8.GetBytes(Body);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception)
            {
                // A probe that connects and leaves (the service's health check) is fine.
            }
        }
    }
}
