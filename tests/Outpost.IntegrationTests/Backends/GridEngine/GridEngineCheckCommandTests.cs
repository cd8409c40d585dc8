using Outpost.IntegrationTests.Checks;

namespace Outpost.IntegrationTests.Backends.GridEngine;

/// <summary>
/// <c>outpost check</c> with the Grid Engine backend against the real cluster: the documented example configuration
/// is accepted as it stands (only the query prefix is pointed into the cluster's network namespace), and a cell that
/// does not exist fails with Grid Engine's own message and the fix.
/// </summary>
[Collection(GridEngineCollection.Name)]
public sealed class GridEngineCheckCommandTests(GridEngineCluster cluster)
{
    [GridEngineFact]
    public async Task Check_TheDocumentedExample_IsValidAndTheClusterAnswers()
    {
        var example = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../docs/examples/gridengine.yaml"));
        Assert.True(File.Exists(example), example);

        var (exitCode, output, errors) = await CheckAsync([], $"--config={example}");

        Assert.True(exitCode == 0, output + errors);
        var lines = CheckCommandTests.Lines(output);
        Assert.Contains("ok    Backend GridEngine: qhost answers: 1 of 1 execution host report a load (localhost)", lines);
        Assert.Contains("ok    Backend GridEngine: qstat -g c lists the queues: all.q", lines);
    }

    [GridEngineFact]
    public async Task Check_UnknownCell_FailsWithGridEnginesMessage()
    {
        var (exitCode, output, errors) = await CheckAsync(new()
        {
            ["Outpost:Backends:Default"] = "GridEngine",
            ["Outpost:Backends:GridEngine:CommandEnvironment:SGE_ROOT"] = cluster.SgeRoot,
            ["Outpost:Backends:GridEngine:CommandEnvironment:SGE_CELL"] = "no-such-cell",
        });

        Assert.True(exitCode == 2, output + errors);
        var lines = CheckCommandTests.Lines(output);
        var failed = Array.FindIndex(lines, l => l.StartsWith("fail  Backend GridEngine: qhost fails: ", StringComparison.Ordinal));
        Assert.True(failed > 0, output);
        Assert.Contains("no-such-cell", lines[failed]);
        Assert.Equal("      fix: start sge_qmaster, or set Outpost:Backends:GridEngine:CommandEnvironment:SGE_ROOT and SGE_CELL to the cluster's", lines[failed + 1]);
    }

    private async Task<(int ExitCode, string Output, string Errors)> CheckAsync(Dictionary<string, string> settings, params string[] arguments)
    {
        var dataDir = await CheckCommandTests.MigratedDataDirAsync();
        var environment = new Dictionary<string, string>(settings);
        for (var i = 0; i < cluster.ExecPrefix.Length; i++)
        {
            environment[$"Outpost:Backends:GridEngine:QueryExecPrefix:{i}"] = cluster.ExecPrefix[i];
        }
        // A --config file overrides the environment; the data directory is given on the command line, which wins.
        return await CommandLineTests.RunWithEnvAsync(dataDir, environment, ["check", .. arguments, $"--Outpost:DataDir={dataDir}"]);
    }
}
