using Outpost.Backends.Batch;
using Outpost.Processes;

namespace Outpost.Backends.Slurm;

/// <summary>Slurm for the shared batch-job life (<see cref="BatchJobRunner"/>): sbatch, squeue, sacct and scancel through <see cref="SlurmCli"/>.</summary>
public sealed class SlurmScheduler(SlurmCli cli) : IBatchScheduler
{
    /// <summary>The variable Slurm sets on the node to its name.</summary>
    public const string NodeVariableName = "SLURMD_NODENAME";

    public string Name => "Slurm";

    public (string Submit, string Queue, string Accounting, string Cancel) Programs => ("sbatch", "squeue", "sacct", "scancel");

    public string JobIdPattern => "%j";

    public string NodeVariable => NodeVariableName;

    public IReadOnlyList<string> ReservedPrefixes { get; } = ["SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "OUTPOST_"];

    public CommandSpec Submit(string script, string user, IReadOnlyDictionary<string, string> jobEnvironment) =>
        cli.Submit(script, user, jobEnvironment);

    public string ParseSubmit(CommandResult result) => SlurmCli.ParseSubmit(result);

    public CommandSpec Queue(string jobId, string user) => cli.Queue(jobId, user);

    public BatchQuery ParseQueue(string jobId, CommandResult result) => ToBatch(SlurmCli.ParseQueue(jobId, result));

    /// <summary>squeue already tells the reason and the estimate.</summary>
    public CommandSpec? WaitDetail(string jobId, string user) => null;

    public string? ParseWaitDetail(BatchJobState job, CommandResult result) => null;

    public CommandSpec Accounting(string jobId, string user) => cli.Accounting(jobId, user);

    public BatchQuery ParseAccounting(string jobId, CommandResult result) => ToBatch(SlurmCli.ParseAccounting(jobId, result));

    public CommandSpec Cancel(string jobId, string user) => cli.Cancel(jobId, user);

    public bool CancelFoundNothing(CommandResult result) => SlurmCli.CancelFoundNothing(result);

    private static BatchQuery ToBatch(SlurmQuery query) => query.Outcome switch
    {
        SlurmQueryOutcome.Found => BatchQuery.Found(ToBatch(query.Job!)),
        SlurmQueryOutcome.NotFound => BatchQuery.NotFound,
        _ => BatchQuery.Failed(query.Error ?? "unknown error"),
    };

    private static BatchJobState ToBatch(SlurmJobState job) =>
        new(job.JobId, job.State, job.Phase switch
        {
            SlurmJobPhase.Pending => BatchJobPhase.Pending,
            SlurmJobPhase.Running => BatchJobPhase.Running,
            SlurmJobPhase.Ended => BatchJobPhase.Ended,
            _ => BatchJobPhase.Other,
        }, job.Node, job.Phase == SlurmJobPhase.Pending ? job.DescribeWait() : "", job.ExitCode)
        {
            Succeeded = job.State == "COMPLETED",
        };
}
