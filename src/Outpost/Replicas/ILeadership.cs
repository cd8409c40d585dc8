namespace Outpost.Replicas;

/// <summary>
/// Which replica does the background work (event relay, reconciliation, sweeps): exactly one at a time.
/// Services wrap their loop in <see cref="RunWhileLeaderAsync"/>; everything else runs on every replica.
/// </summary>
public interface ILeadership
{
    /// <summary>True when several replicas may share the database (PostgreSQL); false for the single SQLite process.</summary>
    bool IsReplicated { get; }

    /// <summary>Whether this replica leads right now.</summary>
    bool IsLeader { get; }

    /// <summary>
    /// Waits until this replica leads, then runs <paramref name="work"/> with a token that is cancelled when
    /// leadership is lost or the host stops; after a loss it waits to lead again and starts the work anew.
    /// Returns when the work returns on its own or <paramref name="stoppingToken"/> is cancelled.
    /// </summary>
    Task RunWhileLeaderAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken);

    /// <summary>Whether the replica with id <paramref name="replica"/> is alive (this one, or one holding its liveness lease).</summary>
    Task<bool> IsAliveAsync(string? replica, CancellationToken cancellationToken);
}
