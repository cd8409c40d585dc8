using System.Diagnostics;
using System.Net;

namespace Outpost.IntegrationTests;

/// <summary>The `outpost` command as an operator runs it.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task HubAdd_PrintsAPasswordOnce_ThatAuthenticatesAfterwards()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-cli-").FullName;
        var (exitCode, output, _) = await RunAsync(dataDir, "hub", "add", "newhub");
        Assert.Equal(0, exitCode);
        var password = output.Trim().Split('\n').Last().Trim();
        Assert.True(password.Length >= 24, output);

        var raw = await File.ReadAllBytesAsync(Path.Combine(dataDir, "outpost.db"));
        Assert.DoesNotContain(password, System.Text.Encoding.Latin1.GetString(raw));

        await using var outpost = await OutpostProcess.StartAsync(dataDir);
        using var client = OutpostHost.CreateClient(outpost.BaseUrl, "newhub", password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services")).StatusCode);
        using var wrong = OutpostHost.CreateClient(outpost.BaseUrl, "newhub", password + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/services")).StatusCode);
    }

    [Fact]
    public async Task Check_InvalidConfiguration_ListsEveryErrorWithItsKey_AndFails()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-cli-").FullName;
        var (exitCode, output, _) = await RunWithEnvAsync(dataDir, new()
        {
            ["Outpost__Hubs__bad hub__Password"] = "short",
            ["Outpost__Backends__Local__Ip"] = "not-an-ip",
            ["Outpost__StartTimeoutSeconds"] = "0",
        }, "check");
        Assert.Equal(2, exitCode);
        var failures = output.Split('\n').Where(l => l.StartsWith("fail  Configuration: ", StringComparison.Ordinal)).ToList();
        Assert.Contains(failures, l => l.Contains("Outpost:Hubs:bad hub", StringComparison.Ordinal));
        Assert.Contains(failures, l => l.Contains("Outpost:Backends:Local:Ip", StringComparison.Ordinal));
        Assert.Contains(failures, l => l.Contains("Outpost:StartTimeoutSeconds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_ValidConfiguration_Succeeds()
    {
        var dataDir = await Checks.CheckCommandTests.MigratedDataDirAsync();
        var (exitCode, output, errors) = await RunAsync(dataDir, "check");
        Assert.True(exitCode == 0, output + errors);
        Assert.Contains("ok    Configuration: valid", output);
        Assert.Contains("ok    Hubs: hub1, hub2", output);
    }

    [Fact]
    public async Task Check_TheDocumentedExampleConfiguration_IsValid()
    {
        var example = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../docs/examples/outpost.yaml"));
        Assert.True(File.Exists(example), example);
        var dataDir = await Checks.CheckCommandTests.MigratedDataDirAsync();
        var (exitCode, output, errors) = await RunAsync(dataDir, "check", $"--config={example}", $"--Outpost:DataDir={dataDir}");
        Assert.True(exitCode == 0, output + errors);
        Assert.Contains("central", output);
        Assert.Contains("teaching", output);
    }

    [Fact]
    public async Task Serve_WithDebugLogs_NeverLogsTokensOrPasswords()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-logs-").FullName;
        var logFile = Path.Combine(dataDir, "outpost.log");
        await using (var outpost = await OutpostProcess.StartAsync(dataDir, logFile: logFile, debugLogs: true))
        {
            using var client = outpost.Client();
            var body = StartBodies.For("tina", "", "t", env: new() { ["JUPYTERHUB_API_TOKEN"] = "SECRET-TOKEN-123" });
            Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(body)).StatusCode);
            await client.GetAsync("/services//t?collect_logs=true");
            await client.StopAsync("/services//t");
        }
        var log = await File.ReadAllTextAsync(logFile);
        Assert.Contains("Started hub1//t", log);
        Assert.DoesNotContain("SECRET-TOKEN-123", log);
        Assert.DoesNotContain(OutpostHost.Password1, log);
        Assert.DoesNotContain(OutpostHost.Password2, log);
        var raw = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(Path.Combine(dataDir, "outpost.db")));
        Assert.DoesNotContain("SECRET-TOKEN-123", raw);
    }

    [Fact]
    public async Task Check_HubNamesDifferingOnlyInCase_FailsNamingBothSpellings()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-cli-").FullName;
        var file = Path.Combine(dataDir, "outpost.json");
        await File.WriteAllTextAsync(file, """{ "Outpost": { "Hubs": { "teaching": { "Password": "password-of-the-file" } } } }""");

        var (exitCode, output, errors) = await RunWithEnvAsync(dataDir, new() { ["Outpost__Hubs__TEACHING__Password"] = "password-of-the-env" }, "check", $"--config={file}");

        Assert.True(exitCode == 2, output + errors);
        var failure = Assert.Single(output.Split('\n'), l => l.StartsWith("fail  Configuration: ", StringComparison.Ordinal));
        Assert.Contains("Outpost:Hubs:teaching", failure);
        Assert.Contains("Outpost:Hubs:TEACHING", failure);
        Assert.DoesNotContain("ok    Configuration", output);
        Assert.Equal(["outpost.json"], Directory.EnumerateFileSystemEntries(dataDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task HubAdd_NameDifferingOnlyInCaseFromAnExistingHub_IsRefused()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-cli-").FullName;
        Assert.Equal(0, (await RunAsync(dataDir, "hub", "add", "newhub")).ExitCode);

        var configured = await RunAsync(dataDir, "hub", "add", "HUB1");
        var stored = await RunAsync(dataDir, "hub", "add", "NewHub");

        Assert.Equal(2, configured.ExitCode);
        Assert.Contains("'hub1'", configured.Errors);
        Assert.Equal(2, stored.ExitCode);
        Assert.Contains("'newhub'", stored.Errors);
        var check = await RunAsync(dataDir, "check");
        Assert.True(check.ExitCode == 0, check.Errors);
        Assert.Contains("hub1, hub2, newhub", check.Output);
    }

    internal static Task<(int ExitCode, string Output, string Errors)> RunAsync(string dataDir, params string[] args) => RunWithEnvAsync(dataDir, [], args);

    internal static async Task<(int ExitCode, string Output, string Errors)> RunWithEnvAsync(string dataDir, Dictionary<string, string> env, params string[] args)
    {
        var startInfo = OutpostExecutable.StartInfo(args);
        foreach (var (key, value) in OutpostHost.DefaultSettings(dataDir).Concat(env))
        {
            startInfo.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await errors);
    }
}
