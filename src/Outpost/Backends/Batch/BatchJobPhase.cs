namespace Outpost.Backends.Batch;

/// <summary>What a batch job's state means for its server, whatever the scheduler calls it.</summary>
public enum BatchJobPhase
{
    /// <summary>Queued: not running yet, may still run.</summary>
    Pending,

    /// <summary>Running: the server can be reached.</summary>
    Running,

    /// <summary>Alive but not serving (suspended, being deleted, a state the scheduler class does not know): neither started nor ended.</summary>
    Other,

    /// <summary>Finished one way or another.</summary>
    Ended,
}
