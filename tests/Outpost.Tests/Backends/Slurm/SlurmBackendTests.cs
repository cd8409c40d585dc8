using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.Slurm;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Slurm;

public sealed class SlurmBackendTests
{
    private const int Port = 51234;
    private const string Token = "secret-api-token";
    private static readonly string[] Sbatch = ["sbatch", "--parsable"];
    private static readonly string[] Squeue = ["squeue", "-h", "-j", "42", "-t", "all", "-o", "%i|%T|%B|%S|%r"];
    private static readonly string[] Sacct = ["sacct", "-n", "-P", "-X", "-j", "42", "-o", "JobID,State,ExitCode,NodeList"];
    private static readonly string[] Scancel = ["scancel", "42"];
    private const string Unreachable = "slurm_load_jobs error: Unable to contact slurm controller (connect failure)";

    private readonly ScriptedCommandRunner _runner = new();
    private readonly AutoAdvanceTimeProvider _time = new();
    private readonly StubHttpClientFactory _http = new(_ => true);
    private readonly RecordingStartContext _context = new();

    private static SlurmBackendOptions Options() => new()
    {
        PortRangeStart = Port,
        PortRangeEnd = Port,
        CommandEnvironment = { ["SLURM_CONF"] = "/etc/test/slurm.conf" },
        Command = ["/usr/bin/jupyterhub-singleuser"],
        PollIntervalSeconds = 2,
        StartTimeoutSeconds = 60,
        StopTimeoutSeconds = 10,
        Allowed = new SlurmAllowed { Partition = new BatchTextRule { Values = ["debug"] } },
    };

    private SlurmBackend Backend(SlurmBackendOptions? options = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? Options()), _runner, _http, _time, NullLogger<SlurmBackend>.Instance);

    private static BackendStartRequest Request(string userOptionsJson = "{}", Dictionary<string, string>? extraEnv = null, string user = "alice")
    {
        var env = new Dictionary<string, string>
        {
            ["JUPYTERHUB_API_TOKEN"] = Token,
            ["JUPYTERHUB_USER"] = user,
            ["JUPYTERHUB_SERVICE_PREFIX"] = "/user/alice/",
        };
        foreach (var (name, value) in extraEnv ?? [])
        {
            env[name] = value;
        }
        var spec = new ServerSpec
        {
            Name = "",
            StartId = "1",
            Env = env,
            UserOptions = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(userOptionsJson)!,
        };
        return new BackendStartRequest(new ServerKey("hub1", "", "1"), spec, "hub1-alice-1", "/srv/outpost/work/hub1-alice-1");
    }

    private static BackendHandle Handle(string host = "node7") =>
        new BatchJobHandle("42", "", Port, "/srv/outpost/work/hub1-alice-1/hub1-alice-1-42.out", host).ToHandle();

    [Fact]
    public async Task Start_PendingThenRunning_ReportsReasonsAndReturnsNodeAndPort()
    {
        _runner.Expect(Sbatch, stdout: "42\n")
            .Expect(Squeue, stdout: "42|PENDING|n/a|N/A|Priority\n")
            .Expect(Squeue, stdout: "42|PENDING|n/a|N/A|Resources\n", times: 2)
            .Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n", times: 2);
        var answered = 0;
        _http.Answers = _ => ++answered > 1;

        var result = await Backend().StartAsync(Request("""{"partition": "debug"}"""), _context, default);

        _runner.AssertDone();
        Assert.Equal("node7:51234", result.ServiceAddress);
        Assert.Equal(new BatchJobHandle("42", "", Port, "/srv/outpost/work/hub1-alice-1/hub1-alice-1-42.out", "node7"), BatchJobHandle.From(result.Handle));
        Assert.Equal(
            [
                "Submitting the server as a Slurm job",
                "Slurm job 42 submitted",
                "queued: waiting for jobs with higher priority",
                "queued: waiting for resources",
                "running on node7",
                "waiting for the server on node7:51234",
            ],
            _context.Messages);
        Assert.Equal(2, _context.Handles.Count);
        Assert.Equal("", BatchJobHandle.From(_context.Handles[0]).Host);
        Assert.Equal(new Uri("http://node7:51234/user/alice/api"), _http.Requests[^1]);
        Assert.Equal(TimeSpan.FromSeconds(8), _time.Elapsed); // five polls, four waits
    }

    [Fact]
    public async Task Start_Submit_SendsScriptOnStdinAndTheEnvironmentOnlyThroughExport()
    {
        _runner.Expect(Sbatch, stdout: "42\n").Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");

        await Backend().StartAsync(Request("""{"partition": "debug"}"""), _context, default);

        var submit = _runner.Received[0];
        var script = submit.StandardInput!;
        Assert.StartsWith("#!/bin/bash\n#SBATCH --job-name=hub1-alice-1\n", script);
        Assert.Contains("#SBATCH --output=/srv/outpost/work/hub1-alice-1/hub1-alice-1-%j.out\n", script);
        Assert.Contains("#SBATCH --export=JUPYTERHUB_API_TOKEN,JUPYTERHUB_SERVICE_PREFIX,JUPYTERHUB_USER,OUTPOST_PORT\n", script);
        Assert.Contains("#SBATCH --partition=debug\n", script);
        Assert.Contains("'/usr/bin/jupyterhub-singleuser'\n", script);
        Assert.DoesNotContain(Token, script);
        Assert.DoesNotContain("alice/", script);
        Assert.Equal(Token, submit.Environment["JUPYTERHUB_API_TOKEN"]);
        Assert.Equal("51234", submit.Environment["OUTPOST_PORT"]);
        Assert.Equal("/etc/test/slurm.conf", submit.Environment["SLURM_CONF"]);
        Assert.All(_runner.Received, command => Assert.DoesNotContain(Token, command.ToString()));
    }

    [Fact]
    public async Task Start_ExecPrefixAndUserMap_SubmitsAndCancelsAsTheSystemUser()
    {
        var options = Options();
        options.ExecPrefix = ["sudo", "--preserve-env", "-u", "{username}"];
        options.UserMap["alice"] = "asmith";
        options.ReadyWhenRunning = true;
        _runner.Expect(["sudo", "--preserve-env", "-u", "asmith", "sbatch", "--parsable"], stdout: "42\n")
            .Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n")
            .Expect(["sudo", "--preserve-env", "-u", "asmith", "scancel", "42"])
            .Expect(Squeue, stdout: "42|CANCELLED|node7|N/A|None\n");
        var backend = Backend(options);

        var result = await backend.StartAsync(Request(), _context, default);
        await backend.StopAsync(result.Handle, default);

        _runner.AssertDone();
        Assert.Equal("asmith", BatchJobHandle.From(result.Handle).User);
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task Start_SystemUserTemplate_MapsHubUsers()
    {
        var options = Options();
        options.ExecPrefix = ["runuser", "-u", "{username}", "--"];
        options.SystemUser = "jh_{username}";
        options.ReadyWhenRunning = true;
        _runner.Expect(["runuser", "-u", "jh_alice", "--", "sbatch", "--parsable"], stdout: "42\n")
            .Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");

        await Backend(options).StartAsync(Request(), _context, default);

        _runner.AssertDone();
    }

    [Fact]
    public async Task Start_SqueueOutage_KeepsWaitingAndNeverCancels()
    {
        _runner.Expect(Sbatch, stdout: "42\n")
            .Expect(Squeue, stderr: Unreachable, exitCode: 1, times: 3)
            .ExpectThrow(Squeue, new TimeoutException("squeue did not finish within 30 s"))
            .Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");

        var result = await Backend().StartAsync(Request(), _context, default);

        _runner.AssertDone();
        Assert.Equal("node7:51234", result.ServiceAddress);
        Assert.Contains("Slurm does not answer at the moment; still waiting", _context.Messages);
    }

    [Fact]
    public async Task Start_JobEndsBeforeReady_FailsWithTheState()
    {
        _runner.Expect(Sbatch, stdout: "42\n")
            .Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n")
            .Expect(Squeue, stdout: "42|FAILED|node7|N/A|NonZeroExitCode\n");
        _http.Answers = _ => false;

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StartAsync(Request(), _context, default));

        _runner.AssertDone();
        Assert.Equal("Slurm job 42 ended (FAILED) before the server answered; its output (collect_logs) may tell why.", e.Message);
    }

    [Fact]
    public async Task Start_JobPurgedBeforeRunning_JudgedFromSacct()
    {
        _runner.Expect(Sbatch, stdout: "42\n")
            .Expect(Squeue, stderr: "slurm_load_jobs error: Invalid job id specified", exitCode: 1)
            .Expect(Sacct, stdout: "42|FAILED|1:0|node7\n");

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StartAsync(Request(), _context, default));

        _runner.AssertDone();
        Assert.Contains("ended (FAILED)", e.Message);
    }

    [Fact]
    public async Task Start_NeverLeavesTheQueue_CancelsAtTheTimeoutAndSaysWhy()
    {
        var options = Options();
        options.StartTimeoutSeconds = 10;
        _runner.Expect(Sbatch, stdout: "42\n")
            .Expect(Squeue, stdout: "42|PENDING|n/a|N/A|Resources\n", times: 5)
            .Expect(Scancel);

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend(options).StartAsync(Request(), _context, default));

        _runner.AssertDone();
        Assert.Equal(
            "The server did not start within 10 s (Slurm job 42 was pending (queued: waiting for resources)); the job was cancelled.",
            e.Message);
    }

    [Fact]
    public async Task Start_ServerNeverAnswers_CancelsAtTheTimeout()
    {
        var options = Options();
        options.StartTimeoutSeconds = 4;
        _runner.Expect(Sbatch, stdout: "42\n").Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n", times: 2).Expect(Scancel);
        _http.Answers = _ => false;

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend(options).StartAsync(Request(), _context, default));

        _runner.AssertDone();
        Assert.Contains("was running on node7", e.Message);
    }

    [Fact]
    public async Task Start_SbatchRefuses_FailsWithSlurmsReasonAndSavesNothing()
    {
        _runner.Expect(Sbatch, stderr: "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n", exitCode: 1);

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StartAsync(Request(), _context, default));

        _runner.AssertDone();
        Assert.Equal("Slurm refused the job: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified", e.Message);
        Assert.Empty(_context.Handles);
    }

    [Fact]
    public async Task Start_SbatchMissing_FailsClearly()
    {
        _runner.ExpectThrow(Sbatch, new System.ComponentModel.Win32Exception("No such file or directory"));

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StartAsync(Request(), _context, default));

        Assert.Equal("sbatch could not be run on the Outpost; see the Outpost's log.", e.Message);
    }

    [Fact]
    public async Task Start_DelayedTunnel_ReturnsAnEmptyAddressAndTheJobReportsIt()
    {
        var options = Options();
        options.DelayedTunnel = true;
        _runner.Expect(Sbatch, stdout: "42\n").Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");

        var result = await Backend(options).StartAsync(
            Request(extraEnv: new() { ["JUPYTERHUB_SETUPTUNNEL_URL"] = "http://hub/hub/api/users/setuptunnel/alice" }), _context, default);

        _runner.AssertDone();
        Assert.Equal("", result.ServiceAddress);
        Assert.Equal("node7", BatchJobHandle.From(result.Handle).Host);
        Assert.Contains("JUPYTERHUB_SETUPTUNNEL_URL", _runner.Received[0].StandardInput);
        Assert.Contains("JUPYTERHUB_SETUPTUNNEL_URL,", _runner.Received[0].StandardInput);
    }

    [Fact]
    public async Task Start_BindAddress_IsTheServiceHost()
    {
        var options = Options();
        options.BindAddress = "127.0.0.1";
        _runner.Expect(Sbatch, stdout: "42\n").Expect(Squeue, stdout: "42|RUNNING|localhost|N/A|None\n");

        var result = await Backend(options).StartAsync(Request(), _context, default);

        Assert.Equal("127.0.0.1:51234", result.ServiceAddress);
        Assert.Equal("127.0.0.1", _runner.Received[0].Environment["OUTPOST_BIND_ADDRESS"]);
        Assert.Equal("127.0.0.1", _runner.Received[0].Environment["OUTPOST_SERVICE_HOST"]);
    }

    public static TheoryData<string, Dictionary<string, string>?, string, string> Injections => new()
    {
        { """{"partition": "debug\n#SBATCH --uid=0"}""", null, "alice", "user_options.partition is refused" },
        { """{"partition": "debug --uid=0"}""", null, "alice", "user_options.partition is refused" },
        { """{"account": "$(id)"}""", null, "alice", "user_options.account is refused" },
        { """{"qos": "`reboot`"}""", null, "alice", "user_options.qos is refused" },
        { """{"reservation": "r;id"}""", null, "alice", "user_options.reservation is refused" },
        { """{"constraint": "a'b"}""", null, "alice", "user_options.constraint is refused" },
        { """{"gres": "gpu:1\"x"}""", null, "alice", "user_options.gres is refused" },
        { """{"gpus": "1 --uid=0"}""", null, "alice", "user_options.gpus is refused" },
        { """{"nodes": "1\n"}""", null, "alice", "user_options.nodes is refused" },
        { """{"cpus": "$((1))"}""", null, "alice", "user_options.cpus is refused" },
        { """{"memory": "4G\n#SBATCH -p x"}""", null, "alice", "user_options.memory is refused" },
        { """{"time": "60 # x"}""", null, "alice", "user_options.time is refused" },
        { "{}", new() { ["SLURM_CONF"] = "/tmp/evil.conf" }, "alice", "env.SLURM_CONF is refused" },
        { "{}", new() { ["SBATCH_PARTITION"] = "secret" }, "alice", "env.SBATCH_PARTITION is refused" },
        { "{}", new() { ["OUTPOST_PORT"] = "22" }, "alice", "env.OUTPOST_PORT is refused" },
        { "{}", new() { ["A,B"] = "x" }, "alice", "env 'A,B' is refused" },
        { "{}", new() { ["JUPYTERHUB_X"] = "a\0b" }, "alice", "env.JUPYTERHUB_X is refused" },
        { "{}", null, "root\nalice", "The hub user 'root?alice' has no valid system user" },
        { "{}", null, "../etc", "The hub user '../etc' has no valid system user" },
        { "{}", null, "alice -u root", "The hub user 'alice -u root' has no valid system user" },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Start_InjectionAttempt_RefusedBeforeAnyCommandRuns(
        string userOptions, Dictionary<string, string>? env, string user, string message)
    {
        var options = Options();
        options.ExecPrefix = ["sudo", "--preserve-env", "-u", "{username}"];

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend(options).StartAsync(Request(userOptions, env, user), _context, default));

        Assert.StartsWith(message, e.Message);
        Assert.Empty(_runner.Received);
        Assert.Empty(_context.Handles);
    }

    [Fact]
    public async Task Start_InternalSsl_CertificatesTravelInTheEnvironmentAndTheScriptWritesThemPrivately()
    {
        var request = Request(extraEnv: new() { ["JUPYTERHUB_SSL_KEYFILE"] = "/hub/side/path.key" });
        request = request with { Spec = request.Spec with { Certs = new ServerCerts("KEY PEM", "CERT PEM", "CA PEM", new Dictionary<string, string>()) } };
        var options = Options();
        options.ReadyWhenRunning = true;
        _runner.Expect(Sbatch, stdout: "42\n").Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");

        await Backend(options).StartAsync(request, _context, default);

        var submit = _runner.Received[0];
        Assert.Equal("KEY PEM", submit.Environment["OUTPOST_SSL_KEY"]);
        Assert.Equal("CERT PEM", submit.Environment["OUTPOST_SSL_CERT"]);
        Assert.Equal("CA PEM", submit.Environment["OUTPOST_SSL_CA"]);
        Assert.Equal("https", submit.Environment["OUTPOST_SCHEME"]);
        Assert.False(submit.Environment.ContainsKey("JUPYTERHUB_SSL_KEYFILE"));
        Assert.Contains("#SBATCH --export=JUPYTERHUB_API_TOKEN,JUPYTERHUB_SERVICE_PREFIX,JUPYTERHUB_USER,OUTPOST_PORT,OUTPOST_SCHEME,OUTPOST_SSL_CA,OUTPOST_SSL_CERT,OUTPOST_SSL_KEY\n", submit.StandardInput);
        Assert.Contains(BatchScript.SslSetup, submit.StandardInput);
        Assert.DoesNotContain("PEM", submit.StandardInput);
    }

    [Fact]
    public async Task Start_InternalSslWithATemplateWithoutSetup_RefusedClearly()
    {
        var request = Request();
        request = request with { Spec = request.Spec with { Certs = new ServerCerts("key", "cert", "ca", new Dictionary<string, string>()) } };
        var options = Options();
        options.ScriptTemplate = "#!/bin/bash\n{{sbatch}}\n{{command}}\n";

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend(options).StartAsync(request, _context, default));

        Assert.StartsWith("internal_ssl needs {{setup}} in this Outpost's Slurm ScriptTemplate", e.Message);
        Assert.Empty(_runner.Received);
    }

    [Theory]
    [InlineData("42|RUNNING|node7|N/A|None\n")]
    [InlineData("42|PENDING|n/a|N/A|Priority\n")]
    [InlineData("42|SUSPENDED|node7|N/A|None\n")]
    public async Task GetStatus_AliveInSqueue_IsRunning(string stdout)
    {
        _runner.Expect(Squeue, stdout: stdout);

        Assert.Equal(BackendStatus.Running, await Backend().GetStatusAsync(Handle(), default));
        _runner.AssertDone();
    }

    [Fact]
    public async Task GetStatus_EndedInSqueue_IsExited()
    {
        _runner.Expect(Squeue, stdout: "42|TIMEOUT|node7|N/A|TimeLimit\n");

        var status = await Backend().GetStatusAsync(Handle(), default);

        Assert.Equal(BackendStatus.Exited(1, "Slurm job 42 ended: TIMEOUT"), status);
    }

    [Fact]
    public async Task GetStatus_SqueueOutage_RetriesThenAsksSacctAndKeepsTheServer()
    {
        _runner.Expect(Squeue, stderr: Unreachable, exitCode: 1, times: 3)
            .Expect(Sacct, stdout: "42|RUNNING|0:0|node7\n");

        var status = await Backend().GetStatusAsync(Handle(), default);

        _runner.AssertDone();
        Assert.Equal(BackendStatus.Running, status);
        Assert.Equal(TimeSpan.FromSeconds(2), _time.Elapsed);
    }

    [Fact]
    public async Task GetStatus_SqueueAndSacctDown_IsUnknownNeverExited()
    {
        _runner.Expect(Squeue, stderr: Unreachable, exitCode: 1, times: 3)
            .Expect(Sacct, stderr: "sacct: error: Problem talking to the database: Connection refused", exitCode: 1);

        var status = await Backend().GetStatusAsync(Handle(), default);

        _runner.AssertDone();
        Assert.Equal(BackendState.Unknown, status.State);
        Assert.Contains("Unable to contact slurm controller", status.Message);
    }

    [Fact]
    public async Task GetStatus_SqueueRecovers_StopsRetrying()
    {
        _runner.Expect(Squeue, stderr: Unreachable, exitCode: 1).Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");

        Assert.Equal(BackendStatus.Running, await Backend().GetStatusAsync(Handle(), default));
        _runner.AssertDone();
    }

    [Fact]
    public async Task GetStatus_PurgedFromSqueue_JudgedFromSacct()
    {
        _runner.Expect(Squeue, stderr: "slurm_load_jobs error: Invalid job id specified", exitCode: 1)
            .Expect(Sacct, stdout: "42|FAILED|2:0|node7\n");

        var status = await Backend().GetStatusAsync(Handle(), default);

        _runner.AssertDone();
        Assert.Equal(BackendStatus.Exited(2, "Slurm job 42 ended: FAILED"), status);
    }

    [Theory]
    [InlineData(0, "", "")]
    [InlineData(1, "", "slurm_load_jobs error: Invalid job id specified")]
    public async Task GetStatus_PurgedAndNoAccounting_CountsAsFinished(int exitCode, string stdout, string stderr)
    {
        _runner.Expect(Squeue, stdout: stdout, stderr: stderr, exitCode: exitCode)
            .Expect(Sacct, stderr: "Slurm accounting storage is disabled", exitCode: 1);

        var status = await Backend().GetStatusAsync(Handle(), default);

        _runner.AssertDone();
        Assert.Equal(BackendState.Exited, status.State);
    }

    [Fact]
    public async Task Stop_Running_CancelsAndWaitsUntilTheJobHasLeftRunning()
    {
        _runner.Expect(Scancel)
            .Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n", times: 2)
            .Expect(Squeue, stderr: Unreachable, exitCode: 1)
            .Expect(Squeue, stdout: "42|COMPLETING|node7|N/A|None\n");

        await Backend().StopAsync(Handle(), default);

        _runner.AssertDone();
        Assert.Equal(TimeSpan.FromSeconds(6), _time.Elapsed);
    }

    [Fact]
    public async Task Stop_AlreadyGone_Succeeds()
    {
        _runner.Expect(Scancel, stderr: "scancel: error: Kill job error on job id 42: Invalid job id specified", exitCode: 1)
            .Expect(Squeue, stderr: "slurm_load_jobs error: Invalid job id specified", exitCode: 1);

        await Backend().StopAsync(Handle(), default);

        _runner.AssertDone();
    }

    [Fact]
    public async Task Stop_ScancelFails_Throws()
    {
        _runner.Expect(Scancel, stderr: "scancel: error: Unable to contact slurm controller", exitCode: 1);

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StopAsync(Handle(), default));

        Assert.Equal("Slurm could not cancel job 42: scancel: error: Unable to contact slurm controller", e.Message);
    }

    [Fact]
    public async Task Stop_JobKeepsRunning_ThrowsAfterTheStopTimeout()
    {
        _runner.Expect(Scancel).Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n", times: 6);

        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StopAsync(Handle(), default));

        _runner.AssertDone();
        Assert.Equal("Slurm job 42 is still RUNNING 10 s after it was cancelled.", e.Message);
    }

    [Fact]
    public async Task Adopt_HandleFromAnEarlierOutpost_StatusAndStopWorkByJobId()
    {
        _runner.Expect(Sbatch, stdout: "42\n").Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n");
        var saved = (await Backend().StartAsync(Request(), _context, default)).Handle;
        var restarted = Backend();
        _runner.Expect(Squeue, stdout: "42|RUNNING|node7|N/A|None\n")
            .Expect(Scancel)
            .Expect(Squeue, stdout: "42|CANCELLED|node7|N/A|None\n");

        Assert.Equal(BackendStatus.Running, await restarted.GetStatusAsync(new BackendHandle(saved.Data), default));
        await restarted.StopAsync(new BackendHandle(saved.Data), default);

        _runner.AssertDone();
    }

    [Fact]
    public async Task Handle_Unreadable_IsAClearFailure()
    {
        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().GetStatusAsync(new BackendHandle("{\"jobId\":\"42;rm\"}"), default));

        Assert.Equal("The stored Slurm job handle of this server cannot be read.", e.Message);
        Assert.Empty(_runner.Received);
    }

    [Fact]
    public async Task GetLogs_OutputFile_GivesTheLastLines()
    {
        var file = Path.Combine(Path.GetTempPath(), $"outpost-slurm-log-{Guid.NewGuid():N}.out");
        await File.WriteAllLinesAsync(file, ["one", "two", "three", "four"]);
        try
        {
            var handle = new BatchJobHandle("42", "", Port, file).ToHandle();

            Assert.Equal(["three", "four"], await Backend().GetLogsAsync(handle, 2, default));
            Assert.Equal(["one", "two", "three", "four"], await Backend().GetLogsAsync(handle, 100, default));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task GetLogs_NoOutputYet_IsEmpty() =>
        Assert.Empty(await Backend().GetLogsAsync(new BatchJobHandle("42", "", Port, "/nonexistent/x-42.out").ToHandle(), 10, default));
}
