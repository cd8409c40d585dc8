namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary><c>outpost check</c> on the container backend, against the real Podman service.</summary>
[Collection(PodmanCollection.Name)]
public sealed class ContainerCheckCommandTests(PodmanEngine engine)
{
    [Fact]
    public async Task Check_TheDocumentedContainersExample_IsValid_EngineAnswers_MissingImagesWarn()
    {
        var example = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../docs/examples/containers.yaml"));
        Assert.True(File.Exists(example), example);
        var dataDir = await Checks.CheckCommandTests.MigratedDataDirAsync();

        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "check", $"--config={example}", $"--Outpost:DataDir={dataDir}",
            $"--Outpost:Backends:Containers:Endpoint={engine.Endpoint}");

        // Warnings only: the example's images are not on this machine (the first start would pull them).
        Assert.True(exitCode == 1, output + errors);
        Assert.Contains("Backend Containers: Podman 4.", output);
        Assert.Contains($"answers at {engine.Endpoint}", output);
        Assert.Contains("image quay.io/jupyter/base-notebook:2025-01-06 is not on the container host yet; the first start pulls it", output);
        Assert.Contains("image quay.io/jupyter/r-notebook:2025-01-06 is not on the container host yet", output);
        Assert.DoesNotContain("fail", output);
    }

    [Fact]
    public async Task Check_EngineDown_FailsNamingTheEndpoint_PresentImageOk()
    {
        var dataDir = await Checks.CheckCommandTests.MigratedDataDirAsync();
        string[] common = ["check", $"--Outpost:DataDir={dataDir}", "--Outpost:Backends:Default=Containers",
            $"--Outpost:Backends:Containers:Image={engine.Image}", "--Outpost:Backends:Containers:PullPolicy=Never"];

        var down = await CommandLineTests.RunAsync(dataDir, [.. common, $"--Outpost:Backends:Containers:Endpoint=unix://{engine.Work}/no-such.sock"]);
        var up = await CommandLineTests.RunAsync(dataDir, [.. common, $"--Outpost:Backends:Containers:Endpoint={engine.Endpoint}"]);

        Assert.True(down.ExitCode == 2, down.Output + down.Errors);
        Assert.Contains($"the container engine at unix://{engine.Work}/no-such.sock does not answer", down.Output);
        Assert.Contains($"image {engine.Image} is on the container host", up.Output);
    }
}
