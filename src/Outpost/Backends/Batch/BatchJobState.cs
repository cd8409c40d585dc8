namespace Outpost.Backends.Batch;

/// <summary>One observation of a job, in the scheduler's words and in what they mean for the server.</summary>
/// <param name="JobId">The job id.</param>
/// <param name="State">The scheduler's state as it says it (e.g. "PENDING", "hqw"), for messages.</param>
/// <param name="Phase">What that state means.</param>
/// <param name="Node">The host running the job script; empty while none is assigned.</param>
/// <param name="Wait">For a queued job, why it waits as users read it (e.g. "queued: held"); empty otherwise.</param>
/// <param name="ExitCode">The job script's exit code when the scheduler reported one.</param>
public sealed record BatchJobState(
    string JobId, string State, BatchJobPhase Phase, string Node = "", string Wait = "", int? ExitCode = null)
{
    /// <summary>Whether the job ended successfully, when the scheduler did not give an exit code.</summary>
    public bool Succeeded { get; init; }
}
