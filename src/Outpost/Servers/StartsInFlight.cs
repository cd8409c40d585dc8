using System.Collections.Concurrent;

namespace Outpost.Servers;

/// <summary>
/// The starts running in this process, by server id: the seam between <see cref="ServerStarter"/>, which
/// registers each start while its backend works, and <see cref="ServerStopper"/>, whose stop cancels it.
/// </summary>
public sealed class StartsInFlight
{
    private readonly ConcurrentDictionary<long, StartInFlight> _starts = new();

    /// <summary>Registers the start of server <paramref name="id"/>; it ends with <see cref="End"/>.</summary>
    public StartInFlight Begin(long id, CancellationTokenSource cancellation) => _starts[id] = new StartInFlight(cancellation);

    public void End(long id) => _starts.TryRemove(id, out _);

    /// <summary>Asks the start of server <paramref name="id"/> to give up, if one runs here.</summary>
    public async Task CancelAsync(long id)
    {
        if (_starts.TryGetValue(id, out var start))
        {
            start.StopRequested = true;
            await start.Cancellation.CancelAsync();
        }
    }
}
