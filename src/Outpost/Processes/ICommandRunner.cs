namespace Outpost.Processes;

/// <summary>Runs external commands (sbatch, squeue, ssh …). The seam that tests replace with a scripted runner.</summary>
public interface ICommandRunner
{
    /// <summary>Runs the command to completion. Throws <see cref="TimeoutException"/> past its timeout.</summary>
    Task<CommandResult> RunAsync(CommandSpec command, CancellationToken cancellationToken);
}
