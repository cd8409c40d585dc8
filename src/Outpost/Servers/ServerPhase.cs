namespace Outpost.Servers;

/// <summary>
/// Where a server is in its life. Transitions happen only in the server services (<see cref="StartRunner"/>,
/// <see cref="ServerStopper"/>, <see cref="ServerRecovery"/>; <see cref="PollServer"/> and the reconciler for
/// Running → Stopped), each persisted with a conditional update before it is announced.
/// <code>Pending → Starting → Running → Stopping → (row removed)
///                    ↘ Failed      ↘ Stopped (ended by itself)</code>
/// </summary>
public enum ServerPhase
{
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Failed,
}

public static class ServerPhaseExtensions
{
    /// <summary>Active servers hold their name and count against limits.</summary>
    public static bool IsActive(this ServerPhase phase) => phase is ServerPhase.Pending or ServerPhase.Starting or ServerPhase.Running or ServerPhase.Stopping;
}
