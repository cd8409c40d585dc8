using Outpost.Backends.Batch;
using Outpost.Processes;

namespace Outpost.Backends.GridEngine;

/// <summary>Grid Engine for the shared batch-job life (<see cref="BatchJobRunner"/>): qsub, qstat, qacct and qdel through <see cref="GridEngineCli"/>.</summary>
public sealed class GridEngineScheduler(GridEngineCli cli) : IBatchScheduler
{
    public string Name => "Grid Engine";

    public (string Submit, string Queue, string Accounting, string Cancel) Programs => ("qsub", "qstat", "qacct", "qdel");

    public string JobIdPattern => GridEngineScript.JobIdPattern;

    public string NodeVariable => GridEngineScript.NodeVariable;

    /// <summary>Variables Grid Engine sets in a job (or reads from qsub's environment), and the Outpost's own.</summary>
    public IReadOnlyList<string> ReservedPrefixes { get; } =
        ["SGE_", "JOB_", "QUEUE", "NSLOTS", "NHOSTS", "NQUEUES", "PE_HOSTFILE", "RESTARTED", "HOSTNAME", "OUTPOST_"];

    public CommandSpec Submit(string script, string user, IReadOnlyDictionary<string, string> jobEnvironment) =>
        cli.Submit(script, user, jobEnvironment);

    public string ParseSubmit(CommandResult result) => GridEngineCli.ParseSubmit(result);

    public CommandSpec Queue(string jobId, string user) => cli.Queue(user);

    public BatchQuery ParseQueue(string jobId, CommandResult result) => GridEngineCli.ParseQueue(jobId, result);

    /// <summary>qstat's list gives only state letters; <c>qstat -j</c> has the scheduler's reasons.</summary>
    public CommandSpec? WaitDetail(string jobId, string user) => cli.Details(jobId, user);

    public string? ParseWaitDetail(BatchJobState job, CommandResult result) =>
        GridEngineCli.ParseSchedulingInfo(result) is { Length: > 0 } info ? $"{job.Wait} ({info})" : null;

    public CommandSpec Accounting(string jobId, string user) => cli.Accounting(jobId, user);

    public BatchQuery ParseAccounting(string jobId, CommandResult result) => GridEngineCli.ParseAccounting(jobId, result);

    public CommandSpec Cancel(string jobId, string user) => cli.Cancel(jobId, user);

    public bool CancelFoundNothing(CommandResult result) => GridEngineCli.CancelFoundNothing(result);
}
