namespace Outpost.Backends.Batch;

/// <summary>The outcome of one query of the scheduler (its queue or its accounting).</summary>
public sealed record BatchQuery(BatchQueryOutcome Outcome, BatchJobState? Job = null, string? Error = null)
{
    public static BatchQuery Found(BatchJobState job) => new(BatchQueryOutcome.Found, job);

    public static readonly BatchQuery NotFound = new(BatchQueryOutcome.NotFound);

    public static BatchQuery Failed(string error) => new(BatchQueryOutcome.Failed, Error: error);
}
