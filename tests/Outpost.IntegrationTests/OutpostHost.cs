using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Hosting;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests;

/// <summary>
/// A real Outpost on a loopback port, in this process: the same app `outpost serve` builds, with a
/// private data folder, two hubs and the local backend running the fake single-user server.
/// </summary>
public sealed class OutpostHost : IAsyncDisposable
{
    public const string Hub1 = "hub1";
    public const string Hub2 = "hub2";
    public const string Password1 = "password-one";
    public const string Password2 = "password-two";

    private readonly WebApplication _app;

    private OutpostHost(WebApplication app, string dataDir)
    {
        _app = app;
        DataDir = dataDir;
    }

    public string DataDir { get; }

    /// <summary>The admin socket (<c>{DataDir}/admin.sock</c> unless the test configured another).</summary>
    public string AdminSocket => Outpost.Admin.AdminSocket.PathFrom(_app.Configuration)!;

    public string BaseUrl { get; private set; } = "";

    public IServiceProvider Services => _app.Services;

    public static string FakeServerScript => Path.Combine(AppContext.BaseDirectory, "Assets", "fake_singleuser.py");

    /// <summary>Configuration every test Outpost gets; <paramref name="extra"/> adds or overrides keys.</summary>
    public static Dictionary<string, string> DefaultSettings(string dataDir) => new()
    {
        ["Outpost:DataDir"] = dataDir,
        [$"Outpost:Hubs:{Hub1}:Password"] = Password1,
        [$"Outpost:Hubs:{Hub2}:Password"] = Password2,
        ["Outpost:Backends:Local:Command:0"] = "/usr/bin/python3",
        ["Outpost:Backends:Local:Args:0"] = FakeServerScript,
        ["Outpost:Backends:Local:StopGraceSeconds"] = "3",
        ["Outpost:Events:InitialBackoffMilliseconds"] = "100",
        ["Outpost:Events:MaxBackoffSeconds"] = "1",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    public static async Task<OutpostHost> StartAsync(Dictionary<string, string>? extra = null, string? dataDir = null, Action<WebApplicationBuilder>? configure = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("outpost-test-").FullName;
        var settings = DefaultSettings(dataDir);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        var args = settings.Select(p => $"--{p.Key}={p.Value}").Append("--urls=http://127.0.0.1:0").ToArray();
        var app = OutpostApp.Build(args, configure);
        await app.StartAsync();
        var host = new OutpostHost(app, dataDir)
        {
            BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => !a.StartsWith("http://unix:", StringComparison.Ordinal)),
        };
        return host;
    }

    /// <summary>Registers the instant backend as the default (and, with a clock, replaces system time).</summary>
    public static Action<WebApplicationBuilder> WithInstantBackend(InstantBackend backend, TimeProvider? clock = null) => builder =>
    {
        builder.Services.AddSingleton<Outpost.Backends.IBackend>(backend);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }
    };

    /// <summary>Puts the server store behind <paramref name="calls"/>, so a test can wait for a background loop's next pass.</summary>
    public static Action<WebApplicationBuilder> CountStoreCalls(CallCounter calls) => builder =>
        builder.Services.AddSingleton<Outpost.Storage.IServerStore>(sp =>
            calls.Wrap<Outpost.Storage.IServerStore>(ActivatorUtilities.CreateInstance<Outpost.Storage.Sqlite.SqliteServerStore>(sp)));

    public HttpClient Client(string hub = Hub1, string? password = null) => CreateClient(BaseUrl, hub, password ?? (hub == Hub2 ? Password2 : Password1));

    public static HttpClient CreateClient(string baseUrl, string hub, string password)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{hub}:{password}")));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Builds start bodies the way the outpostspawner does.</summary>
public static class StartBodies
{
    public static Dictionary<string, object?> For(string user, string name = "", string startId = "s1", FakeHub? hub = null, Dictionary<string, string>? env = null, object? misc = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["JUPYTERHUB_USER"] = user,
            ["JUPYTERHUB_USER_ID"] = "17",
            ["JUPYTERHUB_API_TOKEN"] = $"token-of-{user}",
            ["JUPYTERHUB_SERVICE_PREFIX"] = $"/user/{user}/{name}",
            ["JUPYTERHUB_SERVICE_URL"] = $"http://0.0.0.0:8888/user/{user}/{name}",
        };
        if (hub is not null)
        {
            environment["JUPYTERHUB_EVENTS_URL"] = hub.EventsUrl(user, name);
            environment["JUPYTERHUB_API_URL"] = $"{hub.BaseUrl}/hub/api";
        }
        foreach (var (key, value) in env ?? [])
        {
            environment[key] = value;
        }
        return new Dictionary<string, object?>
        {
            ["name"] = name,
            ["env"] = environment,
            ["user_options"] = new Dictionary<string, object> { ["start_id"] = startId },
            ["misc"] = misc ?? new Dictionary<string, object> { ["port"] = 0 },
            ["certs"] = new Dictionary<string, string>(),
            ["internal_trust_bundles"] = new Dictionary<string, string>(),
        };
    }

    public static async Task<HttpResponseMessage> StartAsync(this HttpClient client, object body, bool async = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/services") { Content = JsonContent.Create(body) };
        if (async)
        {
            request.Headers.Add("execution-type", "async");
        }
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> StopAsync(this HttpClient client, string path, bool async = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, path);
        if (async)
        {
            request.Headers.Add("execution-type", "async");
        }
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Polls until <paramref name="done"/> holds for the poll answer (20 s at most).</summary>
    public static async Task<JsonElement> PollUntilAsync(this HttpClient client, string path, Func<HttpResponseMessage, JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync(path);
            var json = response.Content.Headers.ContentLength == 0 ? default : await response.JsonAsync();
            if (done(response, json))
            {
                return json;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{path}: last answer {(int)response.StatusCode} {json}");
            }
            await Task.Delay(100);
        }
    }
}
