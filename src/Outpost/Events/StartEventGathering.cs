using System.Collections.Concurrent;
using Outpost.Storage;

namespace Outpost.Events;

/// <summary>
/// The servers whose start is running, each with the time until which the relay keeps its events back (see
/// <see cref="EventsOptions.GatherStartEventsMilliseconds"/>). Only first attempts to a hub that takes batches are
/// kept: the original hub-side spawner gets one event per request anyway, and holding would only delay them. The
/// record is this process's: with replicas, a leader elsewhere sends at once, as before.
/// </summary>
internal sealed class StartEventGathering
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    public void Begin(string server, DateTimeOffset until) => _until[server] = until;

    public void End(string server) => _until.TryRemove(server, out _);

    /// <summary>Whether an event of <paramref name="server"/> to <paramref name="url"/> appended now would be held.</summary>
    public bool Gathers(string server, string url, DateTimeOffset now) =>
        _until.TryGetValue(server, out var until) && until > now && EventBatches.TakesBatches(url);

    /// <summary>Whether one server's due <paramref name="events"/> wait for now; if so, <paramref name="until"/> says how long.</summary>
    public bool Holds(List<OutboxEvent> events, DateTimeOffset now, out DateTimeOffset until)
    {
        var first = events[0];
        if (first.Attempts == 0 && _until.TryGetValue(first.Server, out until) && until > now && EventBatches.TakesBatches(first.Url))
        {
            return true;
        }
        until = default;
        return false;
    }
}
