namespace Outpost.IntegrationTests.Hubs;

/// <summary>Hubs whose names differ only in case, written in different configuration sources.</summary>
public sealed class HubNameCollisionTests
{
    [Fact]
    public async Task Start_HubNamesDifferingOnlyInCase_FailsNamingBothSpellings()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-test-").FullName;
        var file = Path.Combine(dataDir, "outpost.yaml");
        await File.WriteAllTextAsync(file, "Outpost:\n  Hubs:\n    teaching:\n      Password: password-of-the-file\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => OutpostHost.StartAsync(
            new() { ["config"] = file, ["Outpost:Hubs:TEACHING:Password"] = "password-of-the-command-line" }, dataDir));

        Assert.Contains("Outpost:Hubs:teaching", error.ToString());
        Assert.Contains("Outpost:Hubs:TEACHING", error.ToString());
    }
}
