using Outpost.Backends;
using Outpost.Backends.Slurm;
using Outpost.Processes;

namespace Outpost.Tests.Backends.Slurm;

public sealed class SlurmCliTests
{
    private static CommandResult Ok(string stdout) => new(0, stdout, "");

    private static CommandResult Fail(string stderr, int exitCode = 1) => new(exitCode, "", stderr);

    [Theory]
    [InlineData("42\n", "42")]
    [InlineData("42;cluster1\n", "42")]
    [InlineData("sbatch: warning: something\n123\n", "123")]
    public void ParseSubmit_ParsableOutput_GivesJobId(string stdout, string jobId) =>
        Assert.Equal(jobId, SlurmCli.ParseSubmit(Ok(stdout)));

    [Fact]
    public void ParseSubmit_Refused_CarriesSlurmsReason()
    {
        var e = Assert.Throws<BackendException>(() => SlurmCli.ParseSubmit(Fail("sbatch: error: invalid partition specified: gpu\n")));
        Assert.Contains("invalid partition specified: gpu", e.Message);
    }

    [Fact]
    public void ParseSubmit_NoId_Throws() =>
        Assert.Throws<BackendException>(() => SlurmCli.ParseSubmit(Ok("Submitted batch job\n")));

    [Fact]
    public void ParseQueue_Pending_GivesReasonAndNoNode()
    {
        var query = SlurmCli.ParseQueue("42", Ok("42|PENDING|n/a|N/A|Resources\n"));

        Assert.Equal(SlurmQueryOutcome.Found, query.Outcome);
        Assert.Equal(new SlurmJobState("42", "PENDING", "", "Resources"), query.Job);
        Assert.Equal(SlurmJobPhase.Pending, query.Job!.Phase);
        Assert.Equal("queued: waiting for resources", query.Job.DescribeWait());
    }

    [Fact]
    public void ParseQueue_PendingWithEstimate_DescribesReasonAndEstimatedStart()
    {
        var query = SlurmCli.ParseQueue("42", Ok("42|PENDING|n/a|2026-12-06T09:30:00|Resources\n"));

        Assert.Equal("2026-12-06T09:30:00", query.Job!.EstimatedStart);
        Assert.Equal("queued: waiting for resources; estimated start 2026-12-06 09:30:00", query.Job.DescribeWait());
    }

    [Theory]
    [InlineData("42|RUNNING|node7|2026-12-06T09:30:00|None\n")] // a running job's start is no estimate
    [InlineData("42|PENDING|n/a|Unknown|Resources\n")]
    [InlineData("42|PENDING|n/a|$(touch x)|Resources\n")]
    public void ParseQueue_NoUsableEstimate_IsEmpty(string stdout) =>
        Assert.Equal("", SlurmCli.ParseQueue("42", Ok(stdout)).Job!.EstimatedStart);

    [Fact]
    public void ParseQueue_Running_GivesBatchHost()
    {
        var query = SlurmCli.ParseQueue("42", Ok("42|RUNNING|node7|N/A|None\n"));

        Assert.Equal(SlurmJobPhase.Running, query.Job!.Phase);
        Assert.Equal("node7", query.Job.Node);
    }

    [Theory]
    [InlineData(0, "", "")]
    [InlineData(1, "", "slurm_load_jobs error: Invalid job id specified\n")]
    public void ParseQueue_EmptyOrInvalidId_IsNotFound(int exitCode, string stdout, string stderr) =>
        Assert.Equal(SlurmQueryOutcome.NotFound, SlurmCli.ParseQueue("42", new CommandResult(exitCode, stdout, stderr)).Outcome);

    [Theory]
    [InlineData("slurm_load_jobs error: Unable to contact slurm controller (connect failure)")]
    [InlineData("slurm_load_jobs error: Socket timed out on send/recv operation")]
    [InlineData("")]
    public void ParseQueue_OtherFailure_IsFailedNotEnded(string stderr)
    {
        var query = SlurmCli.ParseQueue("42", Fail(stderr));

        Assert.Equal(SlurmQueryOutcome.Failed, query.Outcome);
        Assert.StartsWith("squeue: ", query.Error);
    }

    [Fact]
    public void ParseAccounting_Ended_GivesStateAndExitCode()
    {
        var query = SlurmCli.ParseAccounting("42", Ok("42|CANCELLED by 0|0:15|node7\n"));

        Assert.Equal(new SlurmJobState("42", "CANCELLED", "node7", "", 0), query.Job);
        Assert.Equal(SlurmJobPhase.Ended, query.Job!.Phase);
    }

    [Fact]
    public void ParseAccounting_Disabled_IsFailed() =>
        Assert.Equal(SlurmQueryOutcome.Failed, SlurmCli.ParseAccounting("42", Fail("Slurm accounting storage is disabled")).Outcome);

    [Fact]
    public void ParseAccounting_NoRecord_IsNotFound() =>
        Assert.Equal(SlurmQueryOutcome.NotFound, SlurmCli.ParseAccounting("42", Ok("")).Outcome);

    [Theory]
    [InlineData("PENDING", SlurmJobPhase.Pending)]
    [InlineData("CONFIGURING", SlurmJobPhase.Pending)]
    [InlineData("RUNNING", SlurmJobPhase.Running)]
    [InlineData("COMPLETING", SlurmJobPhase.Ended)]
    [InlineData("COMPLETED", SlurmJobPhase.Ended)]
    [InlineData("TIMEOUT", SlurmJobPhase.Ended)]
    [InlineData("OUT_OF_MEMORY", SlurmJobPhase.Ended)]
    [InlineData("SUSPENDED", SlurmJobPhase.Other)]
    [InlineData("SOMETHING_NEW", SlurmJobPhase.Other)]
    public void PhaseOf_State_Classifies(string state, SlurmJobPhase phase) => Assert.Equal(phase, SlurmJobState.PhaseOf(state));

    [Fact]
    public void Commands_WithPrefixes_SubstituteUserAndKeepArgumentLists()
    {
        var cli = new SlurmCli(new SlurmBackendOptions
        {
            Sbatch = "/opt/slurm/bin/sbatch",
            ExecPrefix = ["sudo", "--preserve-env", "-u", "{username}"],
            QueryExecPrefix = [],
            CommandEnvironment = new() { ["SLURM_CONF"] = "/etc/site/slurm.conf" },
            CommandTimeoutSeconds = 12,
        });

        var submit = cli.Submit("#!/bin/bash\n", "asmith", new Dictionary<string, string> { ["JUPYTERHUB_API_TOKEN"] = "t" });
        var queue = cli.Queue("42", "asmith");
        var accounting = cli.Accounting("42", "asmith");
        var cancel = cli.Cancel("42", "asmith");

        Assert.Equal(["sudo", "--preserve-env", "-u", "asmith", "/opt/slurm/bin/sbatch", "--parsable"], [submit.FileName, .. submit.Arguments]);
        Assert.Equal("#!/bin/bash\n", submit.StandardInput);
        Assert.Equal("/etc/site/slurm.conf", submit.Environment["SLURM_CONF"]);
        Assert.Equal("t", submit.Environment["JUPYTERHUB_API_TOKEN"]);
        Assert.Equal(TimeSpan.FromSeconds(12), submit.Timeout);
        Assert.Equal(["squeue", "-h", "-j", "42", "-t", "all", "-o", "%i|%T|%B|%S|%r"], [queue.FileName, .. queue.Arguments]);
        Assert.Equal("/etc/site/slurm.conf", queue.Environment["SLURM_CONF"]);
        Assert.Equal(["sacct", "-n", "-P", "-X", "-j", "42", "-o", "JobID,State,ExitCode,NodeList"], [accounting.FileName, .. accounting.Arguments]);
        Assert.Equal(["sudo", "--preserve-env", "-u", "asmith", "scancel", "42"], [cancel.FileName, .. cancel.Arguments]);
        Assert.DoesNotContain("t", submit.ToString().Split(' '));
    }

    [Fact]
    public void CheckCommands_LeaveOutAPrefixThatNamesAUser_KeepOneThatDoesNot()
    {
        var perUser = new SlurmCli(new SlurmBackendOptions
        {
            ExecPrefix = ["sudo", "--preserve-env", "-u", "{username}"],
            Sinfo = "/opt/slurm/bin/sinfo",
            CommandEnvironment = new() { ["SLURM_CONF"] = "/etc/site/slurm.conf" },
        });
        var fixedPrefix = new SlurmCli(new SlurmBackendOptions { ExecPrefix = ["ssh", "login1"], QueryExecPrefix = ["ssh", "login1"] });

        var info = perUser.Info();
        var test = perUser.TestSubmit();

        Assert.Equal(["/opt/slurm/bin/sinfo", "-h", "-o", "%P %a %D %T"], [info.FileName, .. info.Arguments]);
        Assert.Equal("/etc/site/slurm.conf", info.Environment["SLURM_CONF"]);
        Assert.Equal(["sbatch", "--test-only"], [test.FileName, .. test.Arguments]);
        Assert.Equal("#!/bin/sh\ntrue\n", test.StandardInput);
        Assert.Equal(["ssh", "login1", "sbatch", "--test-only"], [fixedPrefix.TestSubmit().FileName, .. fixedPrefix.TestSubmit().Arguments]);
        Assert.Equal(["ssh", "login1", "sinfo", "-h", "-o", "%P %a %D %T"], [fixedPrefix.Info().FileName, .. fixedPrefix.Info().Arguments]);
    }
}
