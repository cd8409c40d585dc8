using System.Net;
using System.Text.Json.Nodes;

namespace Outpost.IntegrationTests;

/// <summary>An Outpost started with the environment of an original Outpost (docs/migrate-from-outpost.md).</summary>
public sealed class OriginalOutpostTests
{
    private const string FernetKey = "UMmHjHvWjvObNBdjfICzbG8RK7-W-nujsMnN9AAVioU=";

    [Fact]
    public async Task Check_OriginalVariables_SaysWhichWereUsed_ByNameOnly()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, new()
        {
            ["usernames"] = "old-hub;other-hub",
            ["passwords"] = "old-hub-password;other-hub-password",
            ["OUTPOST_CRYPT_KEY"] = FernetKey,
            ["JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER"] = "45",
            ["OUTPOST_CONFIG_FILE"] = "/mnt/outpost_config/outpost_config.py",
        }, "check");

        Assert.True(exitCode == 1, output + errors); // only the warning that the database does not exist yet
        var lines = output.Split('\n');
        Assert.Contains("ok    Hubs: hub1, hub2, old-hub, other-hub (stored hubs not read: see Storage)", lines);
        Assert.Contains("ok    Original Outpost settings: used JUPYTERHUB_CHECK_ENDDATES_SLEEP_TIMER, OUTPOST_CRYPT_KEY, passwords, usernames; "
            + "not used OUTPOST_CONFIG_FILE (docs/migrate-from-outpost.md says why)", lines);
        foreach (var secret in new[] { "old-hub-password", "other-hub-password", FernetKey })
        {
            Assert.DoesNotContain(secret, output + errors);
        }
    }

    [Fact]
    public async Task Check_WithoutOriginalVariables_SaysNone()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "check");

        Assert.True(exitCode == 1, output + errors); // only the warning that the database does not exist yet
        Assert.Contains("ok    Original Outpost settings: none", output.Split('\n'));
    }

    [Fact]
    public async Task Check_OurStorageSettings_WinOverTheOriginals()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, new()
        {
            ["SQL_TYPE"] = "postgresql",
            ["SQL_HOST"] = "db.invalid",
            ["Outpost__Storage__Provider"] = "Sqlite",
        }, "check");

        Assert.True(exitCode == 1, output + errors); // only the warning that the database does not exist yet
        Assert.Contains("warn  Storage: the Sqlite database at ", output);
        Assert.Contains("not used SQL_HOST, SQL_TYPE", output);
    }

    [Fact]
    public async Task Check_BadOriginalValues_FailWithEveryErrorNamingItsVariable_AndNoSecret()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, new()
        {
            ["usernames"] = "old-hub",
            ["passwords"] = "short",
            ["SQL_TYPE"] = "postgresql",
            ["SQL_HOST"] = "db",
            ["SQL_DATABASE"] = "outpost",
            ["SQL_USER"] = "outpost",
            ["SQL_PORT"] = "fivefourthreetwo",
            ["OUTPOST_CRYPT_KEY"] = "crypt-key-that-is-no-fernet-key",
        }, "check");

        Assert.Equal(2, exitCode);
        Assert.Contains("fail  Configuration: passwords: entry 1 (hub 'old-hub') is shorter than 8 characters", output);
        Assert.Contains("fail  Configuration: SQL_PORT: must be a port number from 1 to 65535 (got 'fivefourthreetwo').", output);
        Assert.Contains("fail  Configuration: OUTPOST_CRYPT_KEY: is not a Fernet key", output);
        Assert.DoesNotContain("short", (output + errors).Replace("shorter", "", StringComparison.Ordinal));
        Assert.DoesNotContain("crypt-key-that-is-no-fernet-key", output + errors);
    }

    [Fact]
    public async Task Check_FlavorsFileWithAnError_NamesTheVariableTheFileAndTheKey()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        var flavors = Path.Combine(dataDir, "flavors.yaml");
        await File.WriteAllTextAsync(flavors, "flavors:\n  typea:\n    max: many\n");

        var (exitCode, output, _) = await CommandLineTests.RunWithEnvAsync(dataDir, new() { ["OUTPOST_FLAVORS_PATH"] = flavors }, "check");

        Assert.Equal(2, exitCode);
        Assert.Contains($"fail  Configuration: OUTPOST_FLAVORS_PATH ({flavors}): flavors:typea:max must be a whole number.", output);
    }

    [Fact]
    public async Task Serve_OriginalHubsAndFlavorsFile_AuthenticateAndServeThoseFlavors()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        var flavors = Path.Combine(dataDir, "flavors.yaml");
        await File.WriteAllTextAsync(flavors, """
            flavors:
              typea:
                max: 5
                weight: 10
                display_name: "Type A"
                runtime: {hours: 2}
            hubs:
              old:
                jupyterhub_name: [old-hub]
                flavors: [typea]
                flavorsOverride: {typea: {max: 1}}
            """);
        await using var outpost = await OutpostProcess.StartAsync(dataDir, extra: new()
        {
            ["usernames"] = "old-hub",
            ["passwords"] = "old-hub-password",
            ["OUTPOST_FLAVORS_PATH"] = flavors,
        });

        using var client = OutpostHost.CreateClient(outpost.BaseUrl, "old-hub", "old-hub-password");
        var response = await client.GetAsync("/flavors/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var typea = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["typea"]!;
        Assert.Equal(1, typea["max"]!.GetValue<int>());
        Assert.Equal("Type A", typea["display_name"]!.GetValue<string>());
        using var wrong = OutpostHost.CreateClient(outpost.BaseUrl, "old-hub", "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/services")).StatusCode);
    }

    [Fact]
    public async Task Serve_OurHubPassword_WinsOverTheOriginals()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-original-").FullName;
        await using var outpost = await OutpostProcess.StartAsync(dataDir, extra: new()
        {
            ["usernames"] = "hub1",
            ["passwords"] = "original-password",
        });

        using var ours = OutpostHost.CreateClient(outpost.BaseUrl, "hub1", OutpostHost.Password1);
        using var original = OutpostHost.CreateClient(outpost.BaseUrl, "hub1", "original-password");
        Assert.Equal(HttpStatusCode.OK, (await ours.GetAsync("/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await original.GetAsync("/services")).StatusCode);
    }
}
