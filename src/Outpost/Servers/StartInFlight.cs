namespace Outpost.Servers;

/// <summary>A start that is running in this process, and what cancelled it: a stop, its deadline or the shutdown.</summary>
public sealed class StartInFlight(CancellationTokenSource cancellation, CancellationToken stopping)
{
    public CancellationTokenSource Cancellation { get; } = cancellation;

    public volatile bool StopRequested;

    /// <summary>Whether the Outpost is shutting down.</summary>
    public bool ShuttingDown => stopping.IsCancellationRequested;

    /// <summary>Whether the start was cancelled by its deadline: neither a stop nor the shutdown.</summary>
    public bool TimedOut => Cancellation.IsCancellationRequested && !ShuttingDown && !StopRequested;
}
