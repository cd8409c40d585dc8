using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.Slurm;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.Slurm;

/// <summary>
/// The Slurm backend against a real single-node Slurm 22.05 (Debian) on 127.0.0.1, starting real
/// <c>jupyterhub-singleuser</c> servers as batch jobs. The backend is built from configuration through
/// <c>AddBackends</c>, as the Outpost builds it.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmBackendRealTests(SlurmCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<string> _jobs = [];
    private readonly string _token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private SlurmTestHub _hub = null!;
    private string _work = "";

    public async Task InitializeAsync()
    {
        _hub = await SlurmTestHub.StartAsync();
        _work = Directory.CreateTempSubdirectory("outpost-slurm-it-").FullName;
    }

    public async Task DisposeAsync()
    {
        foreach (var job in _jobs)
        {
            await cluster.RunAsync("scancel", job);
        }
        await _hub.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [SlurmFact]
    public async Task Start_BusyNode_QueuedThenRunningThenServesApiThenStops()
    {
        var blocker = await SubmitBlockerAsync();
        var blockerCancelled = false;
        var context = new RecordingStartContext(async e =>
        {
            if (e.Message.StartsWith("queued", StringComparison.Ordinal) && !blockerCancelled)
            {
                blockerCancelled = true;
                await cluster.RunAsync("scancel", blocker);
            }
        });
        var backend = Backend();

        var result = await StartAsync(backend, Request(), context);

        var jobId = BatchJobHandle.From(result.Handle).JobId;
        Assert.Contains($"Slurm job {jobId} submitted", context.Messages);
        Assert.Contains(context.Messages, m => m.StartsWith("queued", StringComparison.Ordinal));
        Assert.Contains("running on localhost", context.Messages);
        Assert.Matches("^localhost:187[0-9][0-9]$", result.ServiceAddress);

        var api = await _http.GetStringAsync($"http://{result.ServiceAddress}/user/alice/api");
        Assert.Contains("\"version\"", api);
        Assert.Equal(BackendStatus.Running, await backend.GetStatusAsync(result.Handle, default));
        Assert.Contains(await backend.GetLogsAsync(result.Handle, 200, default), l => l.Contains("Starting jupyterhub", StringComparison.Ordinal));

        await backend.StopAsync(result.Handle, default);

        Assert.Equal(BackendState.Exited, (await backend.GetStatusAsync(result.Handle, default)).State);
        Assert.Matches("^(CANCELLED|COMPLETING|COMPLETED)$", (await cluster.RunAsync("squeue", "-h", "-t", "all", "-j", jobId, "-o", "%T")).StandardOutput.Trim());
        Assert.True(await RefusesAsync($"http://{result.ServiceAddress}/user/alice/api"), "the server still answers after stop");
    }

    [SlurmFact]
    public async Task Start_QueuedBehindATimedJob_ShowsTheReasonAndSlurmsEstimatedStart()
    {
        var blocker = await SubmitBlockerAsync("-t", "10");
        var blockerCancelled = false;
        var waiting = new System.Text.RegularExpressions.Regex(@"^queued: waiting for resources; estimated start \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$");
        var context = new RecordingStartContext(async e =>
        {
            // Slurm may give the estimate a pass before the reason: the message changes as they arrive.
            if (waiting.IsMatch(e.Message) && !blockerCancelled)
            {
                blockerCancelled = true;
                await cluster.RunAsync("scancel", blocker);
            }
        });

        var result = await StartAsync(Backend(), Request(), context);

        Assert.Contains(context.Messages, waiting.IsMatch);
        await Backend().StopAsync(result.Handle, default);
    }

    [SlurmFact]
    public async Task Start_InternalSsl_ServesHttpsWithTheHubsCertificatesAndRemovesThemWhenStopped()
    {
        using var pki = InternalSslPki.Create();
        var request = Request();
        request = request with { Spec = request.Spec with { Certs = pki.ServerCerts } };
        var backend = Backend();

        var result = await StartAsync(backend, request, new RecordingStartContext());

        using var https = pki.Client();
        Assert.Contains("\"version\"", await https.GetStringAsync($"https://{result.ServiceAddress}/user/alice/api"));
        var logs = await backend.GetLogsAsync(result.Handle, 200, default);
        var folder = System.Text.RegularExpressions.Regex.Match(string.Join('\n', logs), @"internal_ssl certificates in (\S+) ").Groups[1].Value;
        Assert.StartsWith("/tmp/outpost-ssl.", folder);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "server.key")));
        using (var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync($"https://{result.ServiceAddress}/user/alice/api"));
        }

        await backend.StopAsync(result.Handle, default);

        Assert.True(await EventuallyAsync(() => Task.FromResult(!Directory.Exists(folder))), $"{folder} is still there after stop");
    }

    [SlurmFact]
    public async Task SqueueOutage_NeitherFailsTheStartNorEndsTheServer()
    {
        var shim = Path.Combine(_work, "squeue");
        var outage = Path.Combine(_work, "outage");
        await File.WriteAllTextAsync(shim, $"""
            #!/bin/sh
            if [ -e '{outage}' ]; then
              echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2
              exit 1
            fi
            exec /usr/bin/squeue "$@"
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        await File.WriteAllTextAsync(outage, "");
        var failures = 0;
        var context = new RecordingStartContext(e =>
        {
            if (e.Message.StartsWith("Slurm does not answer", StringComparison.Ordinal) && ++failures == 1)
            {
                _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => File.Delete(outage), TaskScheduler.Default);
            }
            return Task.CompletedTask;
        });
        var backend = Backend(c => c["Squeue"] = shim);

        var result = await StartAsync(backend, Request(), context);

        Assert.Contains("Slurm does not answer at the moment; still waiting", context.Messages);
        await File.WriteAllTextAsync(outage, "");
        var during = await backend.GetStatusAsync(result.Handle, default);
        Assert.Equal(BackendState.Unknown, during.State);
        Assert.Contains("Unable to contact slurm controller", during.Message);
        Assert.Contains("\"version\"", await _http.GetStringAsync($"http://{result.ServiceAddress}/user/alice/api"));
        var jobId = BatchJobHandle.From(result.Handle).JobId;
        Assert.Equal("RUNNING", (await cluster.RunAsync("/usr/bin/squeue", "-h", "-j", jobId, "-o", "%T")).StandardOutput.Trim());

        File.Delete(outage);
        Assert.Equal(BackendStatus.Running, await backend.GetStatusAsync(result.Handle, default));
        await backend.StopAsync(result.Handle, default);
    }

    [SlurmFact]
    public async Task Start_DelayedTunnel_JobReportsItsAddressToTheHub()
    {
        var backend = Backend(c => c["DelayedTunnel"] = "true");

        var result = await StartAsync(backend, Request(), new RecordingStartContext());

        Assert.Equal("", result.ServiceAddress);
        var job = BatchJobHandle.From(result.Handle);
        var (authorization, body) = Assert.Single(_hub.TunnelReports);
        Assert.Equal($"token {_token}", authorization);
        Assert.Equal($"localhost:{job.Port}", JsonDocument.Parse(body).RootElement.GetProperty("service").GetString());
        Assert.Contains("\"version\"", await _http.GetStringAsync($"http://localhost:{job.Port}/user/alice/api"));
        await backend.StopAsync(result.Handle, default);
    }

    [SlurmFact]
    public async Task Start_MappedUser_JobRunsAsThatUserThroughTheExecPrefix()
    {
        var backend = Backend(c =>
        {
            c["ExecPrefix:0"] = "runuser";
            c["ExecPrefix:1"] = "-u";
            c["ExecPrefix:2"] = "{username}";
            c["ExecPrefix:3"] = "--";
            c[$"UserMap:alice"] = SlurmCluster.JobUser;
            c["JobDirectory"] = cluster.SharedJobDirectory;
            c["Command:0"] = "/bin/sh";
            c["Command:1"] = "-c";
            c["Command:2"] = "echo \"job user: $(id -un)\"; exec sleep 300";
            c.Remove("Args:0");
            c["ReadyWhenRunning"] = "true";
        });

        var result = await StartAsync(backend, Request(), new RecordingStartContext());

        var job = BatchJobHandle.From(result.Handle);
        Assert.Equal(SlurmCluster.JobUser, job.User);
        Assert.Equal(SlurmCluster.JobUser, (await cluster.RunAsync("squeue", "-h", "-j", job.JobId, "-o", "%u")).StandardOutput.Trim());
        Assert.True(await EventuallyAsync(async () =>
            (await backend.GetLogsAsync(result.Handle, 10, default)).Contains($"job user: {SlurmCluster.JobUser}")));
        await backend.StopAsync(result.Handle, default);
        Assert.Equal(BackendState.Exited, (await backend.GetStatusAsync(result.Handle, default)).State);
    }

    [SlurmFact]
    public async Task GetStatus_JobSlurmNeverHad_CountsAsEnded()
    {
        var handle = new BatchJobHandle("987654", "", 18700, Path.Combine(_work, "none.out")).ToHandle();

        var status = await Backend().GetStatusAsync(handle, default);

        Assert.Equal(BackendState.Exited, status.State);
    }

    [SlurmFact]
    public async Task Start_InjectedPartition_RefusedAndNothingSubmitted()
    {
        var before = (await cluster.RunAsync("squeue", "-h", "-t", "all", "-o", "%i")).StandardOutput;

        var e = await Assert.ThrowsAsync<BackendException>(() =>
            Backend().StartAsync(Request("""{"partition": "debug\n#SBATCH --uid=0"}"""), new RecordingStartContext(), default));

        Assert.StartsWith("user_options.partition is refused", e.Message);
        Assert.Equal(before, (await cluster.RunAsync("squeue", "-h", "-t", "all", "-o", "%i")).StandardOutput);
    }

    private SlurmBackend Backend(Action<Dictionary<string, string?>>? configure = null)
    {
        var slurm = new Dictionary<string, string?>
        {
            ["CommandEnvironment:SLURM_CONF"] = cluster.SlurmConf,
            ["Command:0"] = "/usr/bin/jupyterhub-singleuser",
            ["Args:0"] = "--allow-root",
            ["JobEnvironment:JUPYTERHUB_SINGLEUSER_APP"] = "notebook.notebookapp.NotebookApp",
            ["PortRangeStart"] = "18700",
            ["PortRangeEnd"] = "18799",
            ["PollIntervalSeconds"] = "0.25",
            ["StartTimeoutSeconds"] = "90",
            ["StopTimeoutSeconds"] = "30",
            ["QueryAttempts"] = "2",
            ["QueryRetryDelaySeconds"] = "0.2",
            ["Allowed:Partition:Values:0"] = "debug",
            ["Allowed:Cpus:Max"] = "2",
        };
        configure?.Invoke(slurm);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(slurm.ToDictionary(kv => $"Outpost:Backends:Slurm:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();
        return (SlurmBackend)services.GetRequiredService<BackendCatalog>().Get(BackendNames.Slurm);
    }

    private BackendStartRequest Request(string userOptions = """{"partition": "debug", "cpus": 1}""")
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
            ["JUPYTERHUB_SETUPTUNNEL_URL"] = $"{_hub.ApiUrl}/users/setuptunnel/alice",
        };
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "1",
            Env = env,
            UserOptions = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(userOptions)!,
        };
        var resource = $"it-alice-{Guid.NewGuid():N}"[..17];
        return new BackendStartRequest(new ServerKey("hub1", "", "1"), spec, resource, _work);
    }

    private async Task<BackendStartResult> StartAsync(SlurmBackend backend, BackendStartRequest request, RecordingStartContext context)
    {
        using var timeout = new CancellationTokenSource(StartLimit);
        try
        {
            return await backend.StartAsync(request, context, timeout.Token);
        }
        finally
        {
            foreach (var handle in context.Handles)
            {
                _jobs.Add(BatchJobHandle.From(handle).JobId);
            }
        }
    }

    private async Task<string> SubmitBlockerAsync(params string[] options)
    {
        var submitted = await cluster.RunAsync("sbatch", ["--parsable", "-c", "2", "-J", "blocker", "-D", "/tmp", "-o", "/dev/null", .. options, "--wrap", "sleep 300"]);
        Assert.True(submitted.Succeeded, submitted.StandardError);
        var id = submitted.StandardOutput.Trim();
        _jobs.Add(id);
        Assert.True(
            await EventuallyAsync(async () => (await cluster.RunAsync("squeue", "-h", "-j", id, "-o", "%T")).StandardOutput.Trim() == "RUNNING"),
            "the blocking job did not start");
        return id;
    }

    private async Task<bool> RefusesAsync(string url) =>
        await EventuallyAsync(async () =>
        {
            try
            {
                await _http.GetAsync(url);
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        });

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
}
