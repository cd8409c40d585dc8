using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.GridEngine;
using Outpost.IntegrationTests.Backends.Slurm;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.GridEngine;

/// <summary>
/// The Grid Engine backend against a real single-node Son of Grid Engine 8.1.9 (Debian) in a network namespace,
/// starting real <c>jupyterhub-singleuser</c> servers as jobs. The backend reaches the cluster through its exec prefix
/// (<c>ip netns exec NS</c>) and is built from configuration through <c>AddBackends</c>, as the Outpost builds it.
/// </summary>
[Collection(GridEngineCollection.Name)]
public sealed class GridEngineBackendRealTests(GridEngineCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<string> _jobs = [];
    private readonly string _token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private SlurmTestHub _hub = null!;
    private string _work = "";

    public async Task InitializeAsync()
    {
        if (!cluster.Enabled)
        {
            return;
        }
        _hub = await SlurmTestHub.StartAsync(IPAddress.Parse(cluster.HostAddress));
        _work = Directory.CreateTempSubdirectory("outpost-ge-it-").FullName;
    }

    public async Task DisposeAsync()
    {
        if (!cluster.Enabled)
        {
            return;
        }
        foreach (var job in _jobs)
        {
            await cluster.RunAsync("qdel", job);
        }
        await _hub.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [GridEngineFact]
    public async Task Start_ServesApi_PollsLogsAndStopsUntilTheJobIsGone()
    {
        var backend = Backend();
        var context = new RecordingStartContext();

        var result = await StartAsync(backend, Request(), context);

        var job = BatchJobHandle.From(result.Handle);
        Assert.Contains($"Grid Engine job {job.JobId} submitted", context.Messages);
        Assert.Contains("running on localhost", context.Messages);
        Assert.Equal($"{cluster.JobAddress}:{job.Port}", result.ServiceAddress);
        // The token reached the job only through qsub's environment (-v NAME): the server accepted it and answers.
        Assert.Contains("\"version\"", await _http.GetStringAsync($"http://{result.ServiceAddress}/user/alice/api"));
        Assert.Equal(BackendStatus.Running, await backend.GetStatusAsync(result.Handle, default));
        Assert.Contains(await backend.GetLogsAsync(result.Handle, 200, default), l => l.Contains("Starting jupyterhub", StringComparison.Ordinal));

        await backend.StopAsync(result.Handle, default);

        Assert.DoesNotContain(job.JobId, await cluster.JobNumbersAsync());
        Assert.Equal(BackendState.Exited, (await backend.GetStatusAsync(result.Handle, default)).State);
        Assert.True(await RefusesAsync($"http://{result.ServiceAddress}/user/alice/api"), "the server still answers after stop");
    }

    [GridEngineFact]
    public async Task Start_HeldJob_ShowsTheHoldAsProgressUntilReleased()
    {
        var released = false;
        RecordingStartContext context = null!;
        context = new RecordingStartContext(async e =>
        {
            // The handle is stored before the job is followed, so it is there when the hold shows. The scheduler's
            // own words ("scheduling info", from qstat -j) follow the state letters once it has looked at the job.
            if (e.Message.StartsWith("queued: held (", StringComparison.Ordinal) && !released)
            {
                released = true;
                await cluster.RunAsync("qrls", BatchJobHandle.From(context.Handles.Last()).JobId);
            }
        });
        var backend = Backend(c =>
        {
            c["ExtraQsubOptions:0"] = "-h";
            c["Command:0"] = "/bin/sleep";
            c["Args:0"] = "300";
            c["ReadyWhenRunning"] = "true";
        });

        var result = await StartAsync(backend, Request(), context);

        Assert.Contains("queued: held (Job is in hold state)", context.Messages);
        Assert.Contains("running on localhost", context.Messages);
        await backend.StopAsync(result.Handle, default);
    }

    [GridEngineFact]
    public async Task Start_InternalSsl_ServesHttpsAndRemovesTheCertificatesWhenDeleted()
    {
        using var pki = InternalSslPki.Create(IPAddress.Parse(cluster.JobAddress));
        var request = Request();
        request = request with { Spec = request.Spec with { Certs = pki.ServerCerts } };
        var backend = Backend();

        var result = await StartAsync(backend, request, new RecordingStartContext());

        using var https = pki.Client();
        Assert.Contains("\"version\"", await https.GetStringAsync($"https://{result.ServiceAddress}/user/alice/api"));
        var logs = string.Join('\n', await backend.GetLogsAsync(result.Handle, 200, default));
        var folder = System.Text.RegularExpressions.Regex.Match(logs, @"internal_ssl certificates in (\S+) ").Groups[1].Value;
        Assert.StartsWith("/tmp/outpost-ssl.", folder);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "server.key")));

        await backend.StopAsync(result.Handle, default);

        // qdel warns a -notify job with SIGUSR2 before it kills it: the job's trap removes the folder.
        Assert.False(Directory.Exists(folder), $"{folder} is still there after stop");
    }

    [GridEngineFact]
    public async Task Start_MappedUser_JobRunsAsThatUserAndIsFollowedUnderIt()
    {
        var backend = Backend(c =>
        {
            string[] prefix = [.. cluster.ExecPrefix, "runuser", "-u", "{username}", "--"];
            for (var i = 0; i < prefix.Length; i++)
            {
                c[$"ExecPrefix:{i}"] = prefix[i];
                c[$"QueryExecPrefix:{i}"] = prefix[i];
            }
            c["UserMap:alice"] = SlurmCluster.JobUser;
            c["JobDirectory"] = cluster.JobDirectory;
            c["Command:0"] = "/bin/sh";
            c["Command:1"] = "-c";
            c["Command:2"] = "echo \"job user: $(id -un), token: ${#JUPYTERHUB_API_TOKEN} characters\"; exec sleep 300";
            c.Remove("Args:0");
            c["ReadyWhenRunning"] = "true";
        });

        var result = await StartAsync(backend, Request(), new RecordingStartContext());

        var job = BatchJobHandle.From(result.Handle);
        Assert.Equal(SlurmCluster.JobUser, job.User);
        Assert.Contains($"<JB_owner>{SlurmCluster.JobUser}</JB_owner>", (await cluster.RunAsync("qstat", "-xml", "-u", SlurmCluster.JobUser)).StandardOutput);
        Assert.True(await EventuallyAsync(async () =>
            (await backend.GetLogsAsync(result.Handle, 10, default)).Contains($"job user: {SlurmCluster.JobUser}, token: {_token.Length} characters")));
        await backend.StopAsync(result.Handle, default);
        Assert.Equal(BackendState.Exited, (await backend.GetStatusAsync(result.Handle, default)).State);
    }

    [GridEngineFact]
    public async Task Start_MemoryOutOfRange_RefusedNamingTheFieldAndNothingSubmitted()
    {
        var before = await cluster.JobNumbersAsync();
        var backend = Backend();
        var request = Request("""{"queue": "all.q", "memory": "64G"}""");

        var refusal = backend.Check(request.Key, request.Spec);
        var e = await Assert.ThrowsAsync<BackendException>(() => backend.StartAsync(request, new RecordingStartContext(), default));

        Assert.Equal("user_options.memory 65536 is outside the allowed range 1–2048.", e.Message);
        Assert.Equal(e.Message, refusal);
        Assert.Empty((await cluster.JobNumbersAsync()).Except(before));
    }

    [GridEngineFact]
    public async Task Start_InjectedQueue_RefusedAndNothingSubmitted()
    {
        var before = await cluster.JobNumbersAsync();

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            Backend().StartAsync(Request("""{"queue": "all.q\n#$ -u root"}"""), new RecordingStartContext(), default));

        Assert.StartsWith("user_options.queue is refused", e.Message);
        Assert.Empty((await cluster.JobNumbersAsync()).Except(before));
    }

    private GridEngineBackend Backend(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CommandEnvironment:SGE_ROOT"] = cluster.SgeRoot,
            ["CommandEnvironment:SGE_CELL"] = cluster.SgeCell,
            ["Command:0"] = "/usr/bin/jupyterhub-singleuser",
            ["Args:0"] = "--allow-root",
            ["JobEnvironment:JUPYTERHUB_SINGLEUSER_APP"] = "notebook.notebookapp.NotebookApp",
            ["BindAddress"] = cluster.JobAddress,
            ["PortRangeStart"] = "18800",
            ["PortRangeEnd"] = "18899",
            ["PollIntervalSeconds"] = "0.25",
            ["StartTimeoutSeconds"] = "90",
            ["StopTimeoutSeconds"] = "30",
            ["QueryAttempts"] = "2",
            ["QueryRetryDelaySeconds"] = "0.2",
            ["Allowed:Queue:Values:0"] = "all.q",
            ["Allowed:MemoryMb:Max"] = "2048",
        };
        for (var i = 0; i < cluster.ExecPrefix.Length; i++)
        {
            settings[$"ExecPrefix:{i}"] = cluster.ExecPrefix[i];
            settings[$"QueryExecPrefix:{i}"] = cluster.ExecPrefix[i];
        }
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => $"Outpost:Backends:GridEngine:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();
        return (GridEngineBackend)services.GetRequiredService<BackendCatalog>().Get(GridEngineBackendOptions.SectionName);
    }

    private BackendStartRequest Request(string userOptions = """{"queue": "all.q", "memory": "1G"}""")
    {
        var env = new Dictionary<string, string>
        {
            ["JUPYTERHUB_API_TOKEN"] = _token,
            ["JUPYTERHUB_CLIENT_ID"] = "jupyterhub-user-alice",
            ["JUPYTERHUB_API_URL"] = _hub.ApiUrl,
            ["JUPYTERHUB_BASE_URL"] = "/",
            ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/alice/",
            ["JUPYTERHUB_OAUTH_CALLBACK_URL"] = "/user/alice/oauth_callback",
            ["JUPYTERHUB_USER"] = "alice",
        };
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "1",
            Env = env,
            UserOptions = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(userOptions)!,
        };
        var resource = $"ge-alice-{Guid.NewGuid():N}"[..17];
        return new BackendStartRequest(new ServerKey("hub1", "", "1"), spec, resource, _work);
    }

    private async Task<BackendStartResult> StartAsync(GridEngineBackend backend, BackendStartRequest request, RecordingStartContext context)
    {
        using var timeout = new CancellationTokenSource(StartLimit);
        try
        {
            return await backend.StartAsync(request, context, timeout.Token);
        }
        finally
        {
            _jobs.AddRange(context.Handles.Select(h => BatchJobHandle.From(h).JobId).Distinct());
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 20)
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

    private async Task<bool> RefusesAsync(string url)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            try
            {
                await _http.GetAsync(url);
            }
            catch (HttpRequestException)
            {
                return true;
            }
            await Task.Delay(250);
        }
        return false;
    }
}
