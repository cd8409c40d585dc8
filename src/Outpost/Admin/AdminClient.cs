using System.Net.Sockets;

namespace Outpost.Admin;

/// <summary>HTTP to a running Outpost through its admin socket; what the command line uses.</summary>
public sealed class AdminClient(string socketPath) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://outpost"),
        // A stop waits for its backend, which may take its time (a Slurm job, a pod's grace period).
        Timeout = TimeSpan.FromMinutes(10),
    };

    public string SocketPath => socketPath;

    /// <summary>Sends a request; throws <see cref="AdminUnavailableException"/> when nothing answers on the socket.</summary>
    public async Task<(int Status, string Body)> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken = default)
    {
        try
        {
            using var request = new HttpRequestMessage(method, pathAndQuery);
            using var response = await _http.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException socket)
        {
            throw new AdminUnavailableException(socket.SocketErrorCode == SocketError.AccessDenied
                ? $"may not connect to {socketPath} (permission denied): run this as the user the Outpost runs as."
                : $"no Outpost is listening on {socketPath}; start it (outpost serve), or name the socket of a running one with --socket PATH.", ex);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Nothing answers on the admin socket, or it may not be opened.</summary>
public sealed class AdminUnavailableException(string message, Exception inner) : Exception(message, inner);
