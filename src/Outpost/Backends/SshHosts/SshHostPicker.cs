using System.Collections.Concurrent;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// Chooses hosts for new servers: round robin or least loaded (fewest servers of this backend), leaving out hosts
/// that failed a connection until <see cref="SshHostsBackendOptions.HostRetrySeconds"/> have passed.
/// </summary>
public sealed class SshHostPicker(SshHostsBackendOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _downUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _serverHosts = new(StringComparer.Ordinal);
    private int _next = -1;

    /// <summary>The hosts to try, best first; hosts marked down are left out until their retry time.</summary>
    public IReadOnlyList<SshHostOptions> Candidates()
    {
        var now = time.GetUtcNow();
        var up = options.Hosts.Where(h => !_downUntil.TryGetValue(h.Name, out var until) || until <= now).ToList();
        if (up.Count == 0)
        {
            return [];
        }
        if (options.HostChoice == SshHostsBackendOptions.LeastLoaded)
        {
            var load = _serverHosts.Values.GroupBy(h => h, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            // Stable: equally loaded hosts keep their configured order.
            return [.. up.OrderBy(h => load.GetValueOrDefault(h.Name))];
        }
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)up.Count);
        return [.. up.Skip(start), .. up.Take(start)];
    }

    /// <summary>Leaves the host out of new starts for the retry time.</summary>
    public void MarkDown(string host) => _downUntil[host] = time.GetUtcNow() + TimeSpan.FromSeconds(options.HostRetrySeconds);

    /// <summary>The host answered: it takes part in host choice again.</summary>
    public void MarkUp(string host) => _downUntil.TryRemove(host, out _);

    public bool IsDown(string host) => _downUntil.TryGetValue(host, out var until) && until > time.GetUtcNow();

    /// <summary>Counts a server on a host (for least loaded); polls of adopted servers count them again after a restart.</summary>
    public void Track(string server, string host) => _serverHosts[server] = host;

    public void Forget(string server) => _serverHosts.TryRemove(server, out _);

    /// <summary>Servers of this backend per host.</summary>
    public int LoadOf(string host) => _serverHosts.Values.Count(h => h == host);
}
