namespace Outpost.Backends.Slurm;

/// <summary>What a Slurm job state means for a server.</summary>
public enum SlurmJobPhase
{
    /// <summary>Queued (PENDING, CONFIGURING, REQUEUED …): not running yet, may still run.</summary>
    Pending,

    /// <summary>RUNNING: the server can be reached.</summary>
    Running,

    /// <summary>Alive but not serving (SUSPENDED, STOPPED, SIGNALING, an unknown state): neither started nor ended.</summary>
    Other,

    /// <summary>Finished one way or another (COMPLETED, COMPLETING, CANCELLED, FAILED, TIMEOUT …).</summary>
    Ended,
}
