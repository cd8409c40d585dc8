using System.Collections.Concurrent;
using Outpost.Servers;

namespace Outpost.Storage;

/// <summary>
/// Poll states kept in memory by a store that is the only writer of its database (SQLite), so polls
/// do not read the database. Every write invalidates after it commits; a read that raced a write
/// never caches what it read (a generation counter detects the race), so the cache never serves a
/// state older than the last committed write.
/// </summary>
public sealed class PollStateCache
{
    private readonly ConcurrentDictionary<ServerKey, ServerPollState> _states = new();
    private readonly ConcurrentDictionary<long, ServerKey> _keys = new();
    private long _generation;

    /// <summary>Read before querying the database; pass to <see cref="Offer"/> with what the query returned.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public int Count => _states.Count;

    public bool TryGet(ServerKey key, out ServerPollState state) => _states.TryGetValue(key, out state!);

    /// <summary>Caches <paramref name="state"/> unless a write happened since <paramref name="generationBeforeRead"/>.</summary>
    public void Offer(ServerKey key, ServerPollState state, long generationBeforeRead)
    {
        if (Generation != generationBeforeRead)
        {
            return;
        }
        _keys[state.Id] = key;
        _states[key] = state;
        if (Generation != generationBeforeRead)
        {
            // A write slipped in between the check and the store: drop what may be stale.
            _states.TryRemove(new KeyValuePair<ServerKey, ServerPollState>(key, state));
            _keys.TryRemove(new KeyValuePair<long, ServerKey>(state.Id, key));
        }
    }

    /// <summary>Call after a write to server <paramref name="id"/> committed.</summary>
    public void Invalidate(long id)
    {
        Interlocked.Increment(ref _generation);
        if (_keys.TryRemove(id, out var key))
        {
            _states.TryRemove(key, out _);
        }
    }

    /// <summary>Call after a write to the server with <paramref name="key"/> committed.</summary>
    public void Invalidate(ServerKey key)
    {
        Interlocked.Increment(ref _generation);
        if (_states.TryRemove(key, out var state))
        {
            _keys.TryRemove(state.Id, out _);
        }
    }
}
