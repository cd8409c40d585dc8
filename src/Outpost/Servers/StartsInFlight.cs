using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Outpost.Hosting;

namespace Outpost.Servers;

/// <summary>
/// The starts running in this process, by server id: the seam between <see cref="StartRunner"/>, which
/// registers each start while its backend works, and <see cref="ServerStopper"/>, whose stop cancels it.
/// A start is also cancelled by its deadline (<c>Outpost:StartTimeoutSeconds</c>) and by the shutdown.
/// </summary>
public sealed class StartsInFlight(IOptions<OutpostOptions> options, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<long, Start> _starts = new();

    /// <summary>How long a start may take.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(options.Value.StartTimeoutSeconds);

    /// <summary>Registers the start of server <paramref name="id"/>, cancelled by a stop, its deadline or the shutdown; it ends with <see cref="End"/>.</summary>
    public Start Begin(long id)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        cancellation.CancelAfter(Timeout);
        return Begin(id, cancellation);
    }

    /// <summary>Registers the start of server <paramref name="id"/> with the caller's <paramref name="cancellation"/>.</summary>
    public Start Begin(long id, CancellationTokenSource cancellation) =>
        _starts[id] = new Start(cancellation, lifetime.ApplicationStopping);

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

    /// <summary>A start that is running in this process, and what cancelled it: a stop, its deadline or the shutdown.</summary>
    public sealed class Start(CancellationTokenSource cancellation, CancellationToken stopping)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public volatile bool StopRequested;

        /// <summary>Whether the Outpost is shutting down.</summary>
        public bool ShuttingDown => stopping.IsCancellationRequested;

        /// <summary>Whether the start was cancelled by its deadline: neither a stop nor the shutdown.</summary>
        public bool TimedOut => Cancellation.IsCancellationRequested && !ShuttingDown && !StopRequested;
    }
}
