using System.Collections.Concurrent;

namespace Outpost.Servers;

/// <summary>
/// The user's auth state that hubs send as <c>auth-state-&lt;key&gt;</c> headers, kept only in memory (never stored),
/// for backends that act with the user's own credentials, as the original hands it to its spawner's
/// <c>auth_state</c>. A backend receives it with each start (<see cref="Backends.BackendStartRequest.AuthState"/>).
/// Entries exist only for servers that exist: set when a start is stored, refreshed by polls of a known server,
/// dropped whenever a server ends (stop, failed start, runtime limit, orphan cleanup), and bounded in number;
/// a hub sends the headers with every request, so a missing entry is refilled by the next poll.
/// </summary>
public sealed class AuthStateCache
{
    /// <summary>Most servers whose auth state is kept; past this a server gets its state at its next start only.</summary>
    public const int MaxServers = 20_000;

    private const string Prefix = "auth-state-";
    private const int MaxKeysPerServer = 64;
    private readonly ConcurrentDictionary<ServerKey, IReadOnlyDictionary<string, string>> _states = new();

    /// <summary>The <c>auth-state-*</c> headers of a request (key lower-cased, without the prefix); empty when none.</summary>
    public static IReadOnlyDictionary<string, string> Read(IHeaderDictionary headers)
    {
        Dictionary<string, string>? state = null;
        foreach (var (name, value) in headers)
        {
            if (name.Length > Prefix.Length && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
                && (state?.Count ?? 0) < MaxKeysPerServer)
            {
                (state ??= new(StringComparer.Ordinal))[name[Prefix.Length..].ToLowerInvariant()] = value.ToString();
            }
        }
        return state ?? Empty;
    }

    /// <summary>Keeps <paramref name="state"/> for a server that exists (it was just stored or found).</summary>
    public void Set(ServerKey key, IReadOnlyDictionary<string, string> state)
    {
        if (state.Count == 0)
        {
            return;
        }
        if (_states.Count >= MaxServers && !_states.ContainsKey(key))
        {
            return;
        }
        _states[key] = state;
    }

    /// <summary>Refreshes a known server's state from a request's headers: later headers win, keys not sent stay.</summary>
    public void Update(ServerKey key, IHeaderDictionary headers) => Update(key, Read(headers));

    /// <summary>Refreshes a known server's state with <paramref name="sent"/> (read by <see cref="Read"/>): later values win, keys not sent stay.</summary>
    public void Update(ServerKey key, IReadOnlyDictionary<string, string> sent)
    {
        if (sent.Count == 0)
        {
            return;
        }
        var merged = new Dictionary<string, string>(Get(key), StringComparer.Ordinal);
        foreach (var (name, value) in sent)
        {
            if (merged.Count < MaxKeysPerServer || merged.ContainsKey(name))
            {
                merged[name] = value;
            }
        }
        Set(key, merged);
    }

    public IReadOnlyDictionary<string, string> Get(ServerKey key) => _states.TryGetValue(key, out var state) ? state : Empty;

    public void Remove(ServerKey key) => _states.TryRemove(key, out _);

    /// <summary>How many servers have an entry (for tests and metrics).</summary>
    public int Count => _states.Count;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
