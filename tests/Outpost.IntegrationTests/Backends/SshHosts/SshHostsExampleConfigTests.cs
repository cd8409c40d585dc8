namespace Outpost.IntegrationTests.Backends.SshHosts;

/// <summary>docs/examples/ssh-hosts.yaml stays a configuration the Outpost accepts.</summary>
public sealed class SshHostsExampleConfigTests
{
    [Fact]
    public async Task Check_TheSshHostsExample_IsAValidConfiguration()
    {
        var example = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../docs/examples/ssh-hosts.yaml"));
        Assert.True(File.Exists(example), example);
        var dataDir = await Checks.CheckCommandTests.MigratedDataDirAsync();

        var (_, output, errors) = await CommandLineTests.RunAsync(dataDir, "check", $"--config={example}", $"--Outpost:DataDir={dataDir}");

        Assert.True(output.Contains("ok    Configuration: valid", StringComparison.Ordinal), output + errors);
        // The example's hosts do not exist here: the check says so per host, naming the backend and the host.
        Assert.Contains("Backend SshHosts host node1", output, StringComparison.Ordinal);
        Assert.Contains("Backend SshHosts host node2", output, StringComparison.Ordinal);
    }
}
