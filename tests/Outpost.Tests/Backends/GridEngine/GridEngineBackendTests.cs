using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.GridEngine;
using Outpost.Servers;
using Outpost.Tests.Backends.Slurm;

namespace Outpost.Tests.Backends.GridEngine;

public sealed class GridEngineBackendTests
{
    private const int Port = 51234;
    private static readonly string[] Qsub = ["qsub", "-terse"];
    private static readonly string[] Qstat = ["qstat", "-xml", "-u", "*"];
    private static readonly string[] QstatJob = ["qstat", "-j", "7"];
    private static readonly string[] Qacct = ["qacct", "-j", "7"];
    private static readonly string[] Qdel = ["qdel", "7"];

    private readonly ScriptedCommandRunner _runner = new();
    private readonly AutoAdvanceTimeProvider _time = new();
    private readonly StubHttpClientFactory _http = new(_ => true);
    private readonly RecordingStartContext _context = new();

    private static GridEngineBackendOptions Options() => new()
    {
        PortRangeStart = Port,
        PortRangeEnd = Port,
        Command = ["/usr/bin/jupyterhub-singleuser"],
        StopTimeoutSeconds = 10,
        QueryAttempts = 2,
        Allowed = new GridEngineAllowed
        {
            Queue = new BatchTextRule { Values = ["all.q"] },
            ParallelEnvironment = new BatchTextRule { Values = ["smp"] },
            Slots = new BatchRangeRule { Max = 8 },
            MemoryMb = new BatchRangeRule { Max = 8192 },
            TimeMinutes = new BatchRangeRule { Max = 600 },
        },
    };

    private GridEngineBackend Backend(GridEngineBackendOptions? options = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? Options()), _runner, _http, _time, NullLogger<GridEngineBackend>.Instance);

    private static BackendStartRequest Request(string userOptionsJson = "{}", Dictionary<string, string>? extraEnv = null)
    {
        var env = new Dictionary<string, string>
        {
            ["JUPYTERHUB_API_TOKEN"] = "secret-api-token",
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

    private static string Listed(string state, string queue = "") =>
        $"<?xml version='1.0'?><job_info><queue_info><job_list><JB_job_number>7</JB_job_number><state>{state}</state><queue_name>{queue}</queue_name></job_list></queue_info></job_info>";

    private const string Empty = "<?xml version='1.0'?><job_info><queue_info></queue_info><job_info></job_info></job_info>";

    [Fact]
    public async Task Start_HeldThenRunning_ReportsTheSchedulersReasonAndReturnsHostAndPort()
    {
        _runner.Expect(Qsub, stdout: "7\n")
            .Expect(Qstat, stdout: Listed("hqw"))
            .Expect(QstatJob, stdout: "scheduling info:            Job is in hold state\n")
            .Expect(Qstat, stdout: Listed("r", "all.q@node3"));

        var result = await Backend().StartAsync(Request("""{"queue": "all.q", "pe": "smp", "slots": 2, "memory": "2G", "time": "1:00:00"}"""), _context, default);

        _runner.AssertDone();
        Assert.Equal("node3:51234", result.ServiceAddress);
        Assert.Equal(new BatchJobHandle("7", "", Port, "/srv/outpost/work/hub1-alice-1/hub1-alice-1-7.out", "node3"), BatchJobHandle.From(result.Handle));
        Assert.Equal(["Submitting the server as a Grid Engine job", "Grid Engine job 7 submitted", "queued: held (Job is in hold state)", "running on node3"], _context.Messages);
        var submit = _runner.Received[0];
        Assert.Equal("secret-api-token", submit.Environment["JUPYTERHUB_API_TOKEN"]);
        Assert.DoesNotContain(submit.Arguments, a => a.Contains("secret", StringComparison.Ordinal));
        Assert.DoesNotContain("secret", submit.StandardInput);
        Assert.Contains("#$ -v JUPYTERHUB_API_TOKEN,JUPYTERHUB_SERVICE_PREFIX,OUTPOST_PORT\n", submit.StandardInput);
        Assert.Contains("#$ -q all.q\n#$ -pe smp 2\n#$ -l h_vmem=2048M\n#$ -l h_rt=3600\n", submit.StandardInput);
    }

    [Theory]
    [InlineData("""{"queue": "gpu.q"}""", "user_options.queue 'gpu.q' is not allowed on this Outpost. Allowed: all.q.")]
    [InlineData("""{"queue": "all.q -u root"}""", "user_options.queue is refused: it may only contain letters, digits and _ . , @ * - (at most 200 characters).")]
    [InlineData("""{"memory": "64G"}""", "user_options.memory 65536 is outside the allowed range 1–8192.")]
    [InlineData("""{"slots": 2}""", "Grid Engine needs a parallel environment (pe) and a number of slots together; only one of them is set.")]
    [InlineData("""{"time": "1:00:00\n#$ -u root"}""", "user_options.time is refused: it must be a time limit in minutes (or HH:MM:SS).")]
    public async Task Start_BadChoice_RefusedNamingTheFieldBeforeAnyCommandRuns(string userOptions, string message)
    {
        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StartAsync(Request(userOptions), _context, default));

        Assert.Equal(message, e.Message);
        Assert.Equal(message, Backend().Check(new ServerKey("hub1", "", "1"), Request(userOptions).Spec));
        Assert.Empty(_runner.Received);
    }

    [Theory]
    [InlineData("SGE_ROOT")]
    [InlineData("JOB_ID")]
    [InlineData("HOSTNAME")]
    [InlineData("OUTPOST_PORT")]
    public async Task Start_ReservedVariable_Refused(string name)
    {
        var e = await Assert.ThrowsAsync<BackendException>(() => Backend().StartAsync(Request(extraEnv: new() { [name] = "x" }), _context, default));

        Assert.StartsWith($"env.{name} is refused", e.Message);
        Assert.Empty(_runner.Received);
    }

    [Fact]
    public async Task GetStatus_GoneFromQstat_UsesQacctsExitStatus()
    {
        _runner.Expect(Qstat, stdout: Empty)
            .Expect(Qacct, stdout: "==============================================================\nhostname     node3\njobnumber    7\nfailed       0\nexit_status  3\n");

        var status = await Backend().GetStatusAsync(new BatchJobHandle("7", "", Port, "/x/y-7.out", "node3").ToHandle(), default);

        Assert.Equal(BackendStatus.Exited(3, "Grid Engine job 7 ended: exit status 3"), status);
    }

    [Fact]
    public async Task GetStatus_QstatFailsEveryTime_IsUnknownNeverEnded()
    {
        _runner.Expect(Qstat, stderr: "error: commlib error: got select error (Connection refused)", exitCode: 1, times: 2)
            .Expect(Qacct, stderr: "error: can't open accounting file", exitCode: 1);

        var status = await Backend().GetStatusAsync(new BatchJobHandle("7", "", Port, "/x/y-7.out", "node3").ToHandle(), default);

        Assert.Equal(BackendState.Unknown, status.State);
        Assert.Contains("Connection refused", status.Message);
    }

    [Fact]
    public async Task Stop_WaitsUntilQstatNoLongerListsTheJob()
    {
        _runner.Expect(Qdel, stdout: "root has registered the job 7 for deletion\n")
            .Expect(Qstat, stdout: Listed("dr", "all.q@node3"))
            .Expect(Qstat, stdout: Empty);

        await Backend().StopAsync(new BatchJobHandle("7", "", Port, "/x/y-7.out", "node3").ToHandle(), default);

        _runner.AssertDone();
    }
}
