namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// The bearer token for requests: a fixed one, or the content of a token file that is read again once it is
/// a minute old (as client-go does), because kubelet rotates projected service-account tokens in place.
/// </summary>
internal sealed class KubeTokenSource(string? token, string? tokenFile, TimeProvider time)
{
    /// <summary>How long a token read from a file is used before the file is read again.</summary>
    public static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private string? _cached;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public string? Get(bool forceReread = false)
    {
        if (tokenFile is null)
        {
            return token;
        }
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (forceReread || _cached is null || now - _readAt >= RereadAfter)
            {
                _cached = File.ReadAllText(tokenFile).Trim();
                _readAt = now;
            }
            return _cached;
        }
    }

    /// <summary>True when a 401 may be cured by reading the token file again.</summary>
    public bool CanReread => tokenFile is not null;
}
