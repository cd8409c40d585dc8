namespace Outpost.Backends.Batch;

/// <summary>How one query of the scheduler went.</summary>
public enum BatchQueryOutcome
{
    /// <summary>The command answered and knows the job.</summary>
    Found,

    /// <summary>The command answered and does not know the job (purged, or never existed).</summary>
    NotFound,

    /// <summary>The command failed (scheduler unreachable, timeout …): nothing can be concluded.</summary>
    Failed,
}
