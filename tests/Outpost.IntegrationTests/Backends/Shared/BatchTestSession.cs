using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.Shared;

/// <summary>
/// What a test against a real batch scheduler keeps around the backend: a stand-in hub, a work folder, the server's
/// token, the jobs to cancel at the end, and the backend built from configuration through <c>AddBackends</c>, as the
/// Outpost builds it.
/// </summary>
internal sealed class BatchTestSession : IAsyncDisposable
{
    private readonly Func<string, Task> _cancelJob;

    private BatchTestSession(StandInHub hub, string work, Func<string, Task> cancelJob)
    {
        Hub = hub;
        Work = work;
        _cancelJob = cancelJob;
    }

    public StandInHub Hub { get; }

    public string Work { get; }

    public string Token { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Scheduler job ids to cancel when the test ends.</summary>
    public List<string> Jobs { get; } = [];

    /// <summary>Starts the stand-in hub on <paramref name="hubAddress"/> (default 127.0.0.1); <paramref name="cancelJob"/> runs for each job at the end.</summary>
    public static async Task<BatchTestSession> StartAsync(string workPrefix, Func<string, Task> cancelJob, IPAddress? hubAddress = null)
    {
        return new BatchTestSession(await StandInHub.StartAsync(hubAddress), Directory.CreateTempSubdirectory(workPrefix).FullName, cancelJob);
    }

    /// <summary>The backend registered under <paramref name="section"/>, built from <paramref name="settings"/> below <c>Outpost:Backends:{section}</c>.</summary>
    public static TBackend Backend<TBackend>(string section, IReadOnlyDictionary<string, string?> settings)
        where TBackend : IBackend
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => $"Outpost:Backends:{section}:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();
        return (TBackend)services.GetRequiredService<BackendCatalog>().Get(section);
    }

    /// <summary>A start request for alice's default server with a single-user environment pointing at the stand-in hub.</summary>
    public BackendStartRequest Request(string resourcePrefix, string userOptions, bool setupTunnel = false)
    {
        var env = new Dictionary<string, string>
        {
            ["JUPYTERHUB_API_TOKEN"] = Token,
            ["JUPYTERHUB_CLIENT_ID"] = "jupyterhub-user-alice",
            ["JUPYTERHUB_API_URL"] = Hub.ApiUrl,
            ["JUPYTERHUB_BASE_URL"] = "/",
            ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/alice/",
            ["JUPYTERHUB_OAUTH_CALLBACK_URL"] = "/user/alice/oauth_callback",
            ["JUPYTERHUB_USER"] = "alice",
        };
        if (setupTunnel)
        {
            env["JUPYTERHUB_SETUPTUNNEL_URL"] = $"{Hub.ApiUrl}/users/setuptunnel/alice";
        }
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "1",
            Env = env,
            UserOptions = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(userOptions)!,
        };
        var resource = $"{resourcePrefix}-alice-{Guid.NewGuid():N}"[..17];
        return new BackendStartRequest(new ServerKey("hub1", "", "1"), spec, resource, Work);
    }

    /// <summary>Starts within <paramref name="limit"/> and remembers every job the start submitted, also when it fails.</summary>
    public async Task<BackendStartResult> StartAsync(IBackend backend, BackendStartRequest request, RecordingStartContext context, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return await backend.StartAsync(request, context, timeout.Token);
        }
        finally
        {
            Jobs.AddRange(context.Handles.Select(h => BatchJobHandle.From(h).JobId).Distinct());
        }
    }

    /// <summary>Whether <paramref name="url"/> stops answering (connection refused) within 20 s.</summary>
    public Task<bool> RefusesAsync(string url) =>
        EventuallyAsync(async () =>
        {
            try
            {
                await Http.GetAsync(url);
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        });

    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(250);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var job in Jobs.Distinct())
        {
            await _cancelJob(job);
        }
        await Hub.DisposeAsync();
        Http.Dispose();
        Directory.Delete(Work, recursive: true);
    }
}
