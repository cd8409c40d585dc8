namespace Outpost.Replicas;

/// <summary>Options bound to <c>Outpost:Replicas</c>: leadership and liveness of replicas sharing a PostgreSQL database.</summary>
public sealed class ReplicasOptions
{
    /// <summary>
    /// Lifetime of the leader lease and of each replica's liveness lease, in seconds. A replica that dies
    /// is replaced as leader, and its unfinished starts and stops are taken over, after at most this long. Default 10.
    /// </summary>
    public int LeaseSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds between renewals; less than half of <see cref="LeaseSeconds"/>. A leader that cannot renew
    /// steps down one renewal interval before its lease expires, so two replicas never lead at once. Default 2.
    /// </summary>
    public int RenewSeconds { get; set; } = 2;

    /// <summary>Seconds between the leader's checks for servers whose replica is gone. Default 5.</summary>
    public int ReconcileSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds between the leader's sweeps for orphans: workloads a backend runs for this Outpost that no stored server
    /// owns (backends that can list theirs: containers, Kubernetes). Each backend decides, by its own options, whether
    /// to remove them or only report them. Default 60.
    /// </summary>
    public int OrphanSweepSeconds { get; set; } = 60;
}
