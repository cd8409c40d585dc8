using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Outpost.Backends.LocalProcess;
using Outpost.Hosting;

namespace Outpost.Bench;

/// <summary>
/// The real Outpost (<see cref="OutpostApp.Build"/>) in the bench's own process, for the step-by-step
/// profile of the poll path (<see cref="HotPathProfile"/>), which calls its services directly. Everything
/// else the bench measures runs in separate processes (<see cref="Hosts.ChildHost"/>). Temporary data
/// folder, one hub, the <see cref="InstantBackend"/> as default and the local-process backend
/// (<c>python3 StartStop/listen.py</c>, a trivial listener) reachable through the profile <c>local</c>.
/// </summary>
public sealed class OutpostUnderTest : IAsyncDisposable
{
    public const string Hub = Hosts.BenchHost.Hub;
    public const string LocalProfile = Hosts.BenchHost.LocalProfile;

    private readonly WebApplication _app;

    private OutpostUnderTest(WebApplication app, string dataDir, string password, Uri baseAddress)
    {
        _app = app;
        DataDir = dataDir;
        Password = password;
        BaseAddress = baseAddress;
        Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Hub}:{password}")));
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = Authorization;
    }

    public string DataDir { get; }

    /// <summary>The hub's password (random per run).</summary>
    public string Password { get; }

    public Uri BaseAddress { get; }

    public AuthenticationHeaderValue Authorization { get; }

    /// <summary>A client for the control calls (starts, stops, checks), not for the load.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<OutpostUnderTest> StartAsync(string dataDir, string python, string listenScript, string logLevel)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Outpost:DataDir={dataDir}",
            $"--Outpost:Hubs:{Hub}:Password={password}",
            $"--Outpost:Backends:Default={InstantBackend.BackendName}",
            "--Outpost:Backends:Local:WaitUntilListening=true",
            $"--Outpost:Profiles:{LocalProfile}:Backend=Local",
            $"--Logging:LogLevel:Default={logLevel}",
        ];
        var app = OutpostApp.Build(args, builder =>
        {
            InstantBackend.AddInstantBackend(builder);
            // Set in code, not as Outpost:Backends:Local:Command:0: the configuration binder appends bound
            // items to an array property's default, so that key yields ["jupyterhub-singleuser", python3].
            builder.Services.PostConfigure<LocalProcessBackendOptions>(local =>
            {
                local.Command = [python];
                local.Args = [listenScript];
            });
        });
        DiagnosticRoutes.Map(app);
        await app.StartAsync();
        return new OutpostUnderTest(app, dataDir, password, ListeningAddress(app));
    }

    /// <summary>Starts a server synchronously (the hub's default mode); throws unless the answer is 200.</summary>
    public async Task StartServerAsync(string name, string startId, string? profile = null)
    {
        var userOptions = new Dictionary<string, string> { ["start_id"] = startId };
        if (profile is not null)
        {
            userOptions["profile"] = profile;
        }
        var body = new
        {
            name,
            env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "u1", ["JUPYTERHUB_USER_ID"] = "1" },
            user_options = userOptions,
        };
        using var response = await Client.PostAsJsonAsync("/services", body);
        await EnsureAsync(response, $"start {name}/{startId}");
    }

    /// <summary>Stops and removes a server synchronously.</summary>
    public async Task StopServerAsync(string name, string startId)
    {
        using var response = await Client.DeleteAsync($"/services/{name}/{startId}");
        await EnsureAsync(response, $"stop {name}/{startId}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal static Uri ListeningAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
