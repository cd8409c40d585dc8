using Outpost.Processes;

namespace Outpost.IntegrationTests.Backends.Slurm;

/// <summary>
/// A private single-node Slurm on 127.0.0.1, brought up by <c>scripts/slurm-env up</c> before the first test and
/// stopped by <c>down</c> after the last. Also creates the unprivileged user the user-mapping test submits as.
/// </summary>
public sealed class SlurmCluster : IAsyncLifetime
{
    /// <summary>System user that jobs in the user-mapping test run as.</summary>
    public const string JobUser = "outpostjob";

    private readonly ProcessCommandRunner _runner = new();
    private string _script = "";

    /// <summary>Path of the cluster's slurm.conf (pass as SLURM_CONF).</summary>
    public string SlurmConf { get; private set; } = "";

    /// <summary>A directory on the node every user may write to (mode 1777).</summary>
    public string SharedJobDirectory => Path.Combine(Path.GetDirectoryName(SlurmConf)!, "jobs");

    public bool Enabled => new SlurmFactAttribute().Skip is null;

    public async Task InitializeAsync()
    {
        if (!Enabled)
        {
            return;
        }
        _script = Path.Combine(RepositoryRoot(), "scripts", "slurm-env");
        var up = await _runner.RunAsync(new CommandSpec { FileName = _script, Arguments = ["up"], Timeout = TimeSpan.FromMinutes(5) }, default);
        if (!up.Succeeded)
        {
            throw new InvalidOperationException($"scripts/slurm-env up failed ({up.ExitCode}): {up.StandardError}");
        }
        SlurmConf = up.StandardOutput.Trim().Split('\n')[^1].Trim();
        var user = await _runner.RunAsync(new CommandSpec { FileName = "id", Arguments = ["-u", JobUser] }, default);
        if (!user.Succeeded)
        {
            var add = await _runner.RunAsync(new CommandSpec { FileName = "useradd", Arguments = ["-m", "-s", "/bin/bash", JobUser] }, default);
            // The Grid Engine fixture may create the same user at the same moment.
            if (!add.Succeeded && !add.StandardError.Contains("already exists", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"useradd {JobUser} failed: {add.StandardError}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_script.Length > 0)
        {
            await _runner.RunAsync(new CommandSpec { FileName = _script, Arguments = ["down"], Timeout = TimeSpan.FromMinutes(1) }, default);
        }
    }

    /// <summary>Runs a Slurm client command against this cluster (argument list, no shell).</summary>
    public Task<CommandResult> RunAsync(string program, params string[] arguments) =>
        _runner.RunAsync(new CommandSpec
        {
            FileName = program,
            Arguments = arguments,
            Environment = new Dictionary<string, string?> { ["SLURM_CONF"] = SlurmConf },
        }, default);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "slurm-env")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("scripts/slurm-env not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>
{
    public const string Name = "real Slurm";
}
