using Outpost.Processes;

namespace Outpost.Backends.Batch;

/// <summary>
/// What differs between batch schedulers, for <see cref="BatchJobRunner"/>: their commands as argument lists and
/// how to read their answers. Everything else about a job's life (the handle, following the queue, readiness,
/// retries, stopping, logs) is shared. Implementations run nothing themselves.
/// </summary>
public interface IBatchScheduler
{
    /// <summary>The scheduler's name in messages, e.g. "Slurm".</summary>
    string Name { get; }

    /// <summary>Command names in messages: submit, queue query, accounting query, cancel (e.g. sbatch, squeue, sacct, scancel).</summary>
    (string Submit, string Queue, string Accounting, string Cancel) Programs { get; }

    /// <summary>What the scheduler replaces by the job id in an output path (Slurm's <c>%j</c>).</summary>
    string JobIdPattern { get; }

    /// <summary>The shell variable on the node that names it, for the script's setup lines (falls back to <c>hostname</c>).</summary>
    string NodeVariable { get; }

    /// <summary>Prefixes of variables a hub may not set for a job: they would steer the scheduler or the script.</summary>
    IReadOnlyList<string> ReservedPrefixes { get; }

    /// <summary>Submits <paramref name="script"/> on standard input; <paramref name="jobEnvironment"/> travels in the command's environment, only named on its arguments.</summary>
    CommandSpec Submit(string script, string user, IReadOnlyDictionary<string, string> jobEnvironment);

    /// <summary>The job id from the submit command's answer; throws <see cref="BackendException"/> when the job was refused.</summary>
    string ParseSubmit(CommandResult result);

    CommandSpec Queue(string jobId, string user);

    BatchQuery ParseQueue(string jobId, CommandResult result);

    /// <summary>A query that explains why a queued job waits, when the queue query does not tell; null when there is none.</summary>
    CommandSpec? WaitDetail(string jobId, string user);

    /// <summary>The wait text from <see cref="WaitDetail"/>'s answer, or null to keep the one the queue gave.</summary>
    string? ParseWaitDetail(BatchJobState job, CommandResult result);

    /// <summary>The query of ended jobs (accounting).</summary>
    CommandSpec Accounting(string jobId, string user);

    /// <summary>Reads the accounting answer; any failure (accounting disabled …) is <see cref="BatchQueryOutcome.Failed"/>.</summary>
    BatchQuery ParseAccounting(string jobId, CommandResult result);

    CommandSpec Cancel(string jobId, string user);

    /// <summary>Whether the cancel command's failure only says the job is already gone.</summary>
    bool CancelFoundNothing(CommandResult result);
}
