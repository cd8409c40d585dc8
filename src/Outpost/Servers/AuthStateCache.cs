using System.Collections.Concurrent;

namespace Outpost.Servers;

/// <summary>
/// The user's auth state that hubs send as <c>auth-state-&lt;key&gt;</c> headers, merged per server and
/// kept only in memory (never stored), for backends that need the user's tokens.
/// </summary>
public sealed class AuthStateCache
{
    private const string Prefix = "auth-state-";
    private readonly ConcurrentDictionary<ServerKey, ConcurrentDictionary<string, string>> _states = new();

    public void Merge(ServerKey key, IHeaderDictionary headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && name.Length > Prefix.Length)
            {
                _states.GetOrAdd(key, _ => new(StringComparer.Ordinal))[name[Prefix.Length..].ToLowerInvariant()] = value.ToString();
            }
        }
    }

    public IReadOnlyDictionary<string, string> Get(ServerKey key) =>
        _states.TryGetValue(key, out var state) ? new Dictionary<string, string>(state) : new Dictionary<string, string>();

    public void Remove(ServerKey key) => _states.TryRemove(key, out _);
}
