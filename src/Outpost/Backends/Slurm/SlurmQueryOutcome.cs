namespace Outpost.Backends.Slurm;

/// <summary>How a squeue or sacct call went.</summary>
public enum SlurmQueryOutcome
{
    /// <summary>The command answered and knows the job.</summary>
    Found,

    /// <summary>The command answered and does not know the job (purged, or never existed).</summary>
    NotFound,

    /// <summary>The command failed (controller unreachable, timeout …): nothing can be concluded.</summary>
    Failed,
}
