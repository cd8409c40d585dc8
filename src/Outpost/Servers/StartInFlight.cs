namespace Outpost.Servers;

/// <summary>A start that is running in this process, and whether a stop asked it to give up.</summary>
public sealed class StartInFlight(CancellationTokenSource cancellation)
{
    public CancellationTokenSource Cancellation { get; } = cancellation;

    public volatile bool StopRequested;
}
