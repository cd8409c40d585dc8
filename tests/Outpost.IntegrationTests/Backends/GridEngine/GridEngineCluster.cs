using Outpost.IntegrationTests.Backends.Slurm;
using Outpost.Processes;

namespace Outpost.IntegrationTests.Backends.GridEngine;

/// <summary>
/// A private single-node Grid Engine (Debian's Son of Grid Engine 8.1.9) in a network namespace of its own, brought up
/// by <c>scripts/gridengine-env up</c> before the first test and stopped (namespace deleted) by <c>down</c> after the
/// last. The namespace has loopback and one private veth link: jobs bind <see cref="JobAddress"/>, the tests' hub
/// listens on <see cref="HostAddress"/>. Also creates the unprivileged user the user-mapping test submits as
/// (the Slurm tests' <see cref="SlurmCluster.JobUser"/>).
/// </summary>
public sealed class GridEngineCluster : IAsyncLifetime
{
    private readonly ProcessCommandRunner _runner = new();
    private readonly Dictionary<string, string> _facts = new(StringComparer.Ordinal);
    private string _script = "";

    public string SgeRoot => _facts["SGE_ROOT"];

    public string SgeCell => _facts["SGE_CELL"];

    /// <summary>The network namespace the daemons and jobs run in.</summary>
    public string Namespace => _facts["NETNS"];

    /// <summary>This host's end of the link into the namespace.</summary>
    public string HostAddress => _facts["HOST_ADDRESS"];

    /// <summary>The namespace's end of the link: where job servers bind and are reached.</summary>
    public string JobAddress => _facts["JOB_ADDRESS"];

    /// <summary>A directory every user may write to (mode 1777).</summary>
    public string JobDirectory => _facts["JOB_DIRECTORY"];

    public bool Enabled => new GridEngineFactAttribute().Skip is null;

    public async Task InitializeAsync()
    {
        if (!Enabled)
        {
            return;
        }
        _script = Path.Combine(RepositoryRoot(), "scripts", "gridengine-env");
        var up = await _runner.RunAsync(new CommandSpec { FileName = _script, Arguments = ["up"], Timeout = TimeSpan.FromMinutes(5) }, default);
        if (!up.Succeeded)
        {
            throw new InvalidOperationException($"scripts/gridengine-env up failed ({up.ExitCode}): {up.StandardError}");
        }
        var user = await _runner.RunAsync(new CommandSpec { FileName = "id", Arguments = ["-u", SlurmCluster.JobUser] }, default);
        if (!user.Succeeded)
        {
            var add = await _runner.RunAsync(new CommandSpec { FileName = "useradd", Arguments = ["-m", "-s", "/bin/bash", SlurmCluster.JobUser] }, default);
            if (!add.Succeeded && !add.StandardError.Contains("already exists", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"useradd {SlurmCluster.JobUser} failed: {add.StandardError}");
            }
        }
        foreach (var line in up.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=');
            if (equals > 0)
            {
                _facts[line[..equals]] = line[(equals + 1)..];
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

    /// <summary>The words that run a command inside the namespace: the backend's exec prefix.</summary>
    public string[] ExecPrefix => ["ip", "netns", "exec", Namespace];

    /// <summary>Runs a Grid Engine client command in the namespace (argument list, no shell).</summary>
    public Task<CommandResult> RunAsync(string program, params string[] arguments) =>
        _runner.RunAsync(new CommandSpec
        {
            FileName = "ip",
            Arguments = ["netns", "exec", Namespace, program, .. arguments],
            Environment = new Dictionary<string, string?> { ["SGE_ROOT"] = SgeRoot, ["SGE_CELL"] = SgeCell },
        }, default);

    /// <summary>The job numbers qstat lists, for "nothing was submitted" checks (jobs of earlier tests may still be leaving).</summary>
    public async Task<IReadOnlyList<string>> JobNumbersAsync()
    {
        var listed = await RunAsync("qstat", "-xml", "-u", "*");
        Assert.True(listed.Succeeded, listed.StandardError);
        return System.Xml.Linq.XDocument.Parse(listed.StandardOutput).Descendants("JB_job_number").Select(e => e.Value).ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "gridengine-env")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("scripts/gridengine-env not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class GridEngineCollection : ICollectionFixture<GridEngineCluster>
{
    public const string Name = "real Grid Engine";
}
