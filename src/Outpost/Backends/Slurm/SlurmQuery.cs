namespace Outpost.Backends.Slurm;

/// <summary>The outcome of one squeue or sacct call.</summary>
public sealed record SlurmQuery(SlurmQueryOutcome Outcome, SlurmJobState? Job = null, string? Error = null)
{
    public static SlurmQuery Found(SlurmJobState job) => new(SlurmQueryOutcome.Found, job);

    public static readonly SlurmQuery NotFound = new(SlurmQueryOutcome.NotFound);

    public static SlurmQuery Failed(string error) => new(SlurmQueryOutcome.Failed, Error: error);
}
