using Outpost.IntegrationTests.Checks;

namespace Outpost.IntegrationTests.Backends.Slurm;

/// <summary>
/// <c>outpost check</c> with the Slurm backend against the real single-node Slurm: sinfo and <c>sbatch --test-only</c>
/// answer and nothing is queued; with a slurm.conf whose controller is not running, the sinfo line fails with Slurm's
/// own message. (That configuration copies the cluster's with the controller's port moved to one nothing listens on,
/// rather than stopping the shared slurmctld under other tests.)
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmCheckCommandTests(SlurmCluster cluster)
{
    [SlurmFact]
    public async Task Check_ClusterUp_BothLinesOk_NoJobQueued()
    {
        var jobsBefore = await JobIdsAsync();

        var (exitCode, output, errors) = await CheckAsync(cluster.SlurmConf);

        Assert.True(exitCode == 0, output + errors);
        var lines = CheckCommandTests.Lines(output);
        Assert.Contains("ok    Backend Slurm: sinfo answers: debug* up, 1 node idle", lines);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            "^ok    Backend Slurm: sbatch --test-only accepts a job: Job [0-9]+ to start at [0-9T:-]+ using 1 processors on nodes localhost in partition debug$"));
        Assert.Equal(jobsBefore, await JobIdsAsync());
    }

    [SlurmFact]
    public async Task Check_ControllerNotRunning_SinfoLineFailsWithSlurmsMessage()
    {
        var down = Path.Combine(Directory.CreateTempSubdirectory("outpost-slurm-down-").FullName, "slurm.conf");
        var closedPort = ClosedPort();
        await File.WriteAllLinesAsync(down, (await File.ReadAllLinesAsync(cluster.SlurmConf))
            .Select(line => line.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? $"SlurmctldPort={closedPort}" : line));

        var (exitCode, output, errors) = await CheckAsync(down);

        Assert.True(exitCode == 2, output + errors);
        var lines = CheckCommandTests.Lines(output);
        var failed = Array.IndexOf(lines, "fail  Backend Slurm: sinfo fails: slurm_load_partitions: Unable to contact slurm controller (connect failure)");
        Assert.True(failed > 0, output);
        Assert.Equal("      fix: start slurmctld (and munged), or point Outpost:Backends:Slurm:CommandEnvironment:SLURM_CONF at the cluster's slurm.conf", lines[failed + 1]);
        Assert.DoesNotContain("sbatch", output);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> CheckAsync(string slurmConf)
    {
        var dataDir = await CheckCommandTests.MigratedDataDirAsync();
        return await CommandLineTests.RunWithEnvAsync(dataDir, new()
        {
            ["Outpost:Backends:Default"] = "Slurm",
            ["Outpost:Backends:Slurm:CommandEnvironment:SLURM_CONF"] = slurmConf,
        }, "check");
    }

    private async Task<string> JobIdsAsync() => (await cluster.RunAsync("squeue", "-h", "-t", "all", "-o", "%i")).StandardOutput;

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
