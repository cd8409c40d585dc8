using System.Net;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>The spawner config file: read again for every start, errors named with file and line, the original's shape accepted.</summary>
public sealed class SpawnerConfigFileTests
{
    private const string Good = """
        import testspawners

        c.JupyterHubOutpost.spawner_class = testspawners.RecordingSpawner
        c.RecordingSpawner.port = 4567
        """;

    [Theory]
    [InlineData("c.RecordingSpawner.port = (", "line 4: SyntaxError: '(' was never closed")]
    [InlineData("c.RecordingSpawner.port = undefined_port", "line 4: NameError: name 'undefined_port' is not defined")]
    public async Task Start_ConfigFileWithAnError_Answers419NamingFileAndLine_AndWorksOnceTheFileIsFixed(string badLine, string error)
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = Path.Combine(folder, "outpost_config.py");
        await File.WriteAllTextAsync(config, Good.Replace("c.RecordingSpawner.port = 4567", badLine));
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, config));
        using var client = outpost.Client();

        var refusal = await SpawnerOutpost.RefusalAsync(await client.StartAsync(SpawnerOutpost.Body("cora", "cfg", "c1")));
        Assert.Equal($"{config}, {error}", refusal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services/cfg/c1")).StatusCode);

        // Fixed while the Outpost runs: the next start reads it again.
        await File.WriteAllTextAsync(config, Good);
        var started = await client.StartAsync(SpawnerOutpost.Body("cora", "cfg", "c2"));
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.StartsWith("127.0.0.1:", (await started.JsonAsync()).GetProperty("service").GetString());
        Assert.True(File.Exists(Path.Combine(folder, "cfg.started")));
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/cfg/c2")).StatusCode);

        // Nor is a good file kept: broken again, the next start fails again.
        await File.WriteAllTextAsync(config, Good.Replace("c.RecordingSpawner.port = 4567", badLine));
        Assert.Equal($"{config}, {error}", await SpawnerOutpost.RefusalAsync(await client.StartAsync(SpawnerOutpost.Body("cora", "cfg", "c3"))));
    }

    [Fact]
    public async Task ConfigFileWithAnError_IsReportedAtStartUp_WithFileAndLine_AndTheOutpostServes()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = Path.Combine(folder, "outpost_config.py");
        await File.WriteAllTextAsync(config, Good.Replace("c.RecordingSpawner.port = 4567", "c.RecordingSpawner.port = ("));
        var log = Path.Combine(folder, "outpost.log");
        await using var outpost = await OutpostProcess.StartAsync(Directory.CreateTempSubdirectory("outpost-data-").FullName, logFile: log,
            extra: SpawnerOutpost.Settings(folder, config));
        var expected = $"Spawner backend Spawner cannot start servers until its configuration is fixed: {config}, line 4: SyntaxError: '(' was never closed";
        await SpawnerOutpost.WaitUntilAsync(async () => (await ReadSharedAsync(log)).Contains(expected, StringComparison.Ordinal), "the start-up report");
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services")).StatusCode);
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task OriginalFormatConfig_HooksAndTraitsApply_TheSanitizedAddressIsTheService()
    {
        var folder = SpawnerOutpost.NewFolder();
        var config = Path.Combine(folder, "outpost_config.py");
        // The original Outpost's documented shape (spawnerhost/tests/configs/original_local.py), with
        // SimpleLocalProcessSpawner running the fake single-user server instead of LocalProcessSpawner.
        await File.WriteAllTextAsync(config, $$"""
            from jupyterhub.spawner import SimpleLocalProcessSpawner

            c.JupyterHubOutpost.spawner_class = SimpleLocalProcessSpawner


            async def allow_override(jupyterhub_credential, misc):
                # only the hub we trust may change the spawner's configuration
                return jupyterhub_credential == "hub1"


            c.JupyterHubOutpost.allow_override = allow_override


            async def my_sanitize_start_response(spawner, start_response):
                return f"localhost:{start_response[1]}"


            c.JupyterHubOutpost.sanitize_start_response = my_sanitize_start_response

            c.SimpleLocalProcessSpawner.cmd = ["/usr/bin/python3", "{{OutpostHost.FakeServerScript}}"]
            c.SimpleLocalProcessSpawner.ip = "127.0.0.1"
            c.SimpleLocalProcessSpawner.home_dir_template = "{{folder}}/home-{username}"
            c.SimpleLocalProcessSpawner.interrupt_timeout = 3
            c.SimpleLocalProcessSpawner.term_timeout = 5
            """);
        await using var outpost = await OutpostHost.StartAsync(SpawnerOutpost.Settings(folder, config));

        using var trusted = outpost.Client(OutpostHost.Hub1);
        using var other = outpost.Client(OutpostHost.Hub2);
        try
        {
            await StartTrustedAndOtherAsync(trusted, other, folder);
            Assert.Equal(HttpStatusCode.OK, (await trusted.StopAsync("/services/orig/o1")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await other.StopAsync("/services/orig/o2")).StatusCode);
        }
        finally
        {
            // The servers are real processes: a failed assertion must not leave them running.
            await trusted.StopAsync("/services/orig/o1");
            await other.StopAsync("/services/orig/o2");
        }
    }

    private static async Task StartTrustedAndOtherAsync(HttpClient trusted, HttpClient other, string folder)
    {
        // hub1 is trusted: its misc port reaches the spawner, and the hook's answer is the service.
        var port = SpawnerOutpost.FreePort();
        var started = await trusted.StartAsync(SpawnerOutpost.Body("olga", "orig", "o1", port: port));
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal($"localhost:{port}", (await started.JsonAsync()).GetProperty("service").GetString());
        Assert.Equal(HttpStatusCode.OK, await SpawnerOutpost.GetWhenUpAsync($"http://localhost:{port}/api"));
        Assert.True(Directory.Exists(Path.Combine(folder, "home-olga")));

        // hub2 is not: the hook refuses its misc, so the spawner picks a port of its own.
        var otherPort = SpawnerOutpost.FreePort();
        var otherStart = await other.StartAsync(SpawnerOutpost.Body("olga", "orig", "o2", port: otherPort));
        Assert.Equal(HttpStatusCode.OK, otherStart.StatusCode);
        var otherService = (await otherStart.JsonAsync()).GetProperty("service").GetString()!;
        Assert.StartsWith("localhost:", otherService);
        Assert.NotEqual($"localhost:{otherPort}", otherService);
    }
}
