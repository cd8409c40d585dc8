namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>A spawner backend's bad options stop the Outpost at start-up, each named by its key.</summary>
public sealed class SpawnerOptionsValidationTests
{
    public static TheoryData<string, string?, string> Cases => new()
    {
        { "ConfigFile", null, "Outpost:Backends:Spawner:ConfigFile is required" },
        { "ConfigFile", "/nonexistent/outpost_config.py", "Outpost:Backends:Spawner:ConfigFile '/nonexistent/outpost_config.py' does not exist." },
        { "Python", "python3", "Outpost:Backends:Spawner:Python 'python3' is not an existing absolute path to a Python interpreter." },
        { "LogLevel", "LOUD", "Outpost:Backends:Spawner:LogLevel must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got 'LOUD')." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_BadSpawnerOption_FailsNamingTheKey(string key, string? value, string message)
    {
        var folder = SpawnerOutpost.NewFolder();
        var settings = SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "RecordingSpawner"));
        settings.Remove($"Outpost:Backends:Spawner:{key}");
        if (value is not null)
        {
            settings[$"Outpost:Backends:Spawner:{key}"] = value;
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => OutpostHost.StartAsync(settings));

        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public async Task Start_BadOptionsOfASecondSpawnerBackend_AreNamedUnderItsOwnSection()
    {
        var folder = SpawnerOutpost.NewFolder();
        var settings = SpawnerOutpost.Settings(folder, SpawnerOutpost.TestSpawnerConfig(folder, "RecordingSpawner"));
        settings["Outpost:Backends:Batch:Type"] = "Spawner";
        settings["Outpost:Backends:Batch:Python"] = "/nonexistent/python3";

        var error = (await Assert.ThrowsAnyAsync<Exception>(() => OutpostHost.StartAsync(settings))).ToString();

        Assert.Contains("Outpost:Backends:Batch:ConfigFile is required", error);
        Assert.Contains("Outpost:Backends:Batch:Python '/nonexistent/python3' is not an existing absolute path", error);
        Assert.DoesNotContain("Outpost:Backends:Spawner:", error);
    }
}
