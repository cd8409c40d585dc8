namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary><c>outpost check</c> loads each spawner backend's config file in its host.</summary>
public sealed class SpawnerCheckCommandTests
{
    [Fact]
    public async Task Check_ConfigFileWithAnError_Fails_PrintingFileAndLine()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = Path.Combine(folder, "outpost_config.py");
        await File.WriteAllTextAsync(config, """
            import testspawners

            c.JupyterHubOutpost.spawner_class = testspawners.RecordingSpawner
            c.RecordingSpawner.port = undefined_port
            """);

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(folder, Settings(folder, config), "check");

        Assert.True(exitCode == 2, output + errors);
        Assert.Contains($"fail  Backend Spawner: {config}, line 4: NameError: name 'undefined_port' is not defined", Lines(output));
        Assert.Contains("      fix: correct the file; until then every start on this backend fails with this message", Lines(output));
    }

    [Fact]
    public async Task Check_GoodConfigFile_PrintsTheSpawnerClass()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = SpawnerOutpost.TestSpawnerConfig(folder, "StateSpawner");

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(folder, Settings(folder, config), "check");

        Assert.True(exitCode == 1, output + errors); // the folder has no database yet: a warning
        Assert.Contains($"ok    Backend Spawner: {config} loads (spawner class testspawners.StateSpawner)", Lines(output));
        Assert.Contains("ok    Configuration: valid", Lines(output));
    }

    private static Dictionary<string, string> Settings(string folder, string config)
    {
        var settings = SpawnerOutpost.Settings(folder, config);
        // Where an in-process Outpost finds the host; a published binary run by scripts/test may live elsewhere.
        settings["Outpost:Backends:Spawner:HostPath"] = Path.Combine(AppContext.BaseDirectory, "spawnerhost");
        return settings;
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');
}
