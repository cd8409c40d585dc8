namespace Outpost.Backends.Slurm;

/// <summary>One observation of a job, from squeue or sacct.</summary>
/// <param name="JobId">The job id.</param>
/// <param name="State">Slurm's state word in upper case, e.g. "PENDING" ("CANCELLED by 0" becomes "CANCELLED").</param>
/// <param name="Node">The node running the batch script; empty while none is assigned.</param>
/// <param name="Reason">Why a pending job waits (e.g. "Resources", "Priority"); empty or "None" otherwise.</param>
/// <param name="ExitCode">The batch script's exit code when sacct reported one.</param>
public sealed record SlurmJobState(string JobId, string State, string Node = "", string Reason = "", int? ExitCode = null)
{
    /// <summary>When Slurm expects a pending job to start (its backfill estimate, as squeue prints it); "" when unknown.</summary>
    public string EstimatedStart { get; init; } = "";

    private static readonly HashSet<string> PendingStates =
        ["PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SPECIAL_EXIT"];

    private static readonly HashSet<string> EndedStates =
    [
        "COMPLETED", "COMPLETING", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL",
        "DEADLINE", "OUT_OF_MEMORY", "REVOKED",
    ];

    /// <summary>What the state means for the server.</summary>
    public SlurmJobPhase Phase => PhaseOf(State);

    public static SlurmJobPhase PhaseOf(string state) =>
        state == "RUNNING" ? SlurmJobPhase.Running
        : PendingStates.Contains(state) ? SlurmJobPhase.Pending
        : EndedStates.Contains(state) ? SlurmJobPhase.Ended
        : SlurmJobPhase.Other;

    /// <summary>A short text for a pending job's reason and, when Slurm has one, its estimated start, as users read it in progress messages.</summary>
    public string DescribeWait() =>
        EstimatedStart.Length > 0 ? $"{DescribeReason()}; estimated start {EstimatedStart.Replace('T', ' ')}" : DescribeReason();

    private string DescribeReason() => Reason switch
    {
        "" or "None" => "queued",
        "Resources" => "queued: waiting for resources",
        "Priority" => "queued: waiting for jobs with higher priority",
        "BeginTime" => "queued: waiting for its start time",
        "Dependency" => "queued: waiting for a job it depends on",
        "JobHeldUser" or "JobHeldAdmin" => "queued: held",
        "ReqNodeNotAvail" => "queued: the requested nodes are not available",
        _ when Reason.StartsWith("ReqNodeNotAvail", StringComparison.Ordinal) => "queued: the requested nodes are not available",
        _ when Reason.StartsWith("QOS", StringComparison.Ordinal) || Reason.StartsWith("Assoc", StringComparison.Ordinal)
            => $"queued: held by a limit of the account or QoS ({Reason})",
        _ => $"queued: {Reason}",
    };
}
