using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Backends;
using Outpost.Backends.Spawner;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.IntegrationTests.Backends.Spawner;

/// <summary>
/// Settings and bodies for an Outpost whose default backend is the spawner host, with a config file written for the
/// test and the test spawner classes (spawnerhost/tests/testspawners.py) importable.
/// </summary>
public static class SpawnerOutpost
{
    public static string Assets => Path.Combine(AppContext.BaseDirectory, "Assets", "spawner");

    /// <summary>A folder for one test: the config file goes here, and the test spawners record what happened to them here.</summary>
    public static string NewFolder() => Directory.CreateTempSubdirectory("outpost-spawner-").FullName;

    /// <summary>Settings that make <paramref name="configFile"/>'s spawner the default backend.</summary>
    public static Dictionary<string, string> Settings(string folder, string configFile, string backend = "Spawner") => new()
    {
        ["Outpost:Backends:Default"] = backend,
        [$"Outpost:Backends:{backend}:ConfigFile"] = configFile,
        [$"Outpost:Backends:{backend}:PythonPath:0"] = Assets,
        [$"Outpost:Backends:{backend}:Environment:SPAWNERHOST_TEST_DIR"] = folder,
        [$"Outpost:Backends:{backend}:LogLevel"] = "WARNING",
    };

    /// <summary>Writes a config file that runs one of the test spawner classes.</summary>
    public static string TestSpawnerConfig(string folder, string spawnerClass, string extra = "")
    {
        var path = Path.Combine(folder, $"{spawnerClass}_config.py");
        File.WriteAllText(path, $"""
            import testspawners

            c.JupyterHubOutpost.spawner_class = testspawners.{spawnerClass}
            {extra}
            """);
        return path;
    }

    /// <summary>
    /// Writes a config file in the original Outpost's documented shape: SimpleLocalProcessSpawner running the fake
    /// single-user server (it needs no system user, unlike LocalProcessSpawner).
    /// </summary>
    public static string LocalConfig(string folder, string spawnerClass = "SimpleLocalProcessSpawner", string extra = "", string? import = null)
    {
        var path = Path.Combine(folder, "outpost_config.py");
        File.WriteAllText(path, $$"""
            {{import ?? $"from jupyterhub.spawner import {spawnerClass}"}}

            c.JupyterHubOutpost.spawner_class = {{spawnerClass}}

            c.{{spawnerClass}}.cmd = ["/usr/bin/python3", "{{OutpostHost.FakeServerScript}}"]
            c.{{spawnerClass}}.ip = "127.0.0.1"
            c.{{spawnerClass}}.home_dir_template = "{{folder}}/home-{username}"
            {{extra}}
            """);
        return path;
    }

    /// <summary>A start body for a server listening on a free port (the fake server listens where JUPYTERHUB_SERVICE_URL says).</summary>
    public static Dictionary<string, object?> Body(string user, string name, string startId, Fakes.FakeHub? hub = null, Dictionary<string, string>? env = null, int? port = null)
    {
        port ??= FreePort();
        var environment = new Dictionary<string, string>(env ?? [])
        {
            ["JUPYTERHUB_SERVICE_URL"] = $"http://127.0.0.1:{port}/user/{user}/{name}",
        };
        return StartBodies.For(user, name, startId, hub, environment, new Dictionary<string, object> { ["port"] = port });
    }

    /// <summary>GETs <paramref name="url"/> once something listens there (within 20 s).</summary>
    public static async Task<HttpStatusCode> GetWhenUpAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                return (await client.GetAsync(url)).StatusCode;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the test spawner recorded <paramref name="file"/> (e.g. "alice.stopped").</summary>
    public static async Task<string> WaitForMarkAsync(string folder, string file, int seconds = 15)
    {
        var path = Path.Combine(folder, file);
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{file} was not written within {seconds} s");
            await Task.Delay(50);
        }
        return await File.ReadAllTextAsync(path);
    }

    /// <summary>The spawner state stored in a server's handle (the record's handle is decrypted by the store).</summary>
    public static async Task<JsonElement> StoredStateAsync(OutpostHost outpost, string name, string startId, string hub = OutpostHost.Hub1)
    {
        var record = await outpost.Services.GetRequiredService<IServerStore>().FindAsync(new ServerKey(hub, name, startId));
        Assert.True(record?.Handle is not null, $"no handle stored for {hub}/{name}/{startId}");
        using var handle = JsonDocument.Parse(record.Handle.Data);
        return handle.RootElement.GetProperty("state").Clone();
    }

    /// <summary>The spawner backend registered under <paramref name="name"/>.</summary>
    public static SpawnerBackend Backend(OutpostHost outpost, string name = "Spawner") =>
        outpost.Services.GetServices<IBackend>().OfType<SpawnerBackend>().Single(b => b.Name == name);

    /// <summary>The hub's message of a 419 answer (<c>args[0]</c>).</summary>
    public static async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 419, $"expected 419, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("args")[0].GetString()!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked every 50 ms).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {seconds} s");
            await Task.Delay(50);
        }
    }
}
