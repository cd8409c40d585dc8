using Outpost.Checks;

namespace Outpost.Backends.Slurm;

/// <summary>
/// <c>outpost check</c>: the controller answers <c>sinfo</c>, and <c>sbatch --test-only</c> would accept a trivial job
/// (Slurm validates it and estimates its start; nothing is queued). Both run as the Outpost's own user with
/// <c>CommandEnvironment</c>, so a wrong <c>SLURM_CONF</c> shows here.
/// </summary>
public sealed partial class SlurmBackend : IBackendCheck
{
    public async Task<IReadOnlyList<CheckLine>> CheckAsync(CancellationToken cancellationToken)
    {
        var subject = $"Backend {Name}";
        const string down = "start slurmctld (and munged), or point Outpost:Backends:Slurm:CommandEnvironment:SLURM_CONF at the cluster's slurm.conf";
        var (info, infoError) = await _jobs.TryRunAsync(_cli.Info(), cancellationToken);
        if (infoError is not null)
        {
            return [CheckLine.Fail(subject, $"`{_options.Sinfo}` cannot run: {infoError}", $"install the Slurm client commands here, or set Outpost:Backends:Slurm:Sinfo to sinfo's path")];
        }
        if (!info!.Succeeded)
        {
            return [CheckLine.Fail(subject, $"sinfo fails: {SlurmCli.Summary(info)}", down)];
        }
        var partitions = info.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')).Where(f => f.Length == 4).Select(f => $"{f[0]} {f[1]}, {f[2]} node{(f[2] == "1" ? "" : "s")} {f[3]}");
        var lines = new List<CheckLine> { CheckLine.Ok(subject, $"sinfo answers: {string.Join("; ", partitions)}") };

        var (test, testError) = await _jobs.TryRunAsync(_cli.TestSubmit(), cancellationToken);
        lines.Add(testError is not null
            ? CheckLine.Fail(subject, $"`{_options.Sbatch}` cannot run: {testError}", "install the Slurm client commands here, or set Outpost:Backends:Slurm:Sbatch to sbatch's path")
            : test!.Succeeded
                ? CheckLine.Ok(subject, $"sbatch --test-only accepts a job: {SlurmCli.Summary(test).Replace("sbatch: ", "", StringComparison.Ordinal)}")
                : CheckLine.Fail(subject, $"sbatch --test-only refuses a job: {SlurmCli.Summary(test)}",
                    "see Slurm's message: the Outpost's user may need an account or a default partition (Outpost:Backends:Slurm:Defaults)"));
        return lines;
    }
}
