using System.Diagnostics;
using System.Net.Http.Headers;
using k8s.Authentication;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// The in-cluster bearer token, read from the projected service-account file again whenever the kubelet has rewritten
/// it (it rotates the token well before it expires), and at least once a minute. The library's own provider keeps a
/// token for a minute whatever happens to the file; this one also looks at the file's time on each request (one stat).
/// </summary>
public sealed class ServiceAccountToken(string path) : ITokenProvider
{
    private readonly Lock _gate = new();
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private DateTime _readAt = DateTime.MinValue;
    private long _readTimestamp;
    private AuthenticationHeaderValue? _header;

    public string Path => path;

    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var written = File.GetLastWriteTimeUtc(path);
            if (_header is null || written != _readAt || Stopwatch.GetElapsedTime(_readTimestamp) > MaxAge)
            {
                var token = File.ReadAllText(path).Trim();
                if (token.Length == 0)
                {
                    throw new InvalidOperationException($"The service-account token file {path} is empty.");
                }
                _header = new AuthenticationHeaderValue("Bearer", token);
                _readAt = written;
                _readTimestamp = Stopwatch.GetTimestamp();
            }
            return Task.FromResult(_header);
        }
    }
}
