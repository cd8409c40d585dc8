using Outpost.Backends;
using Outpost.Backends.Batch;
using Outpost.Backends.GridEngine;
using Outpost.Processes;

namespace Outpost.Tests.Backends.GridEngine;

/// <summary>Reading Grid Engine's answers, as Son of Grid Engine 8.1.9 prints them (samples taken from the real daemons).</summary>
public sealed class GridEngineCliTests
{
    private const string QueueXml =
        """
        <?xml version='1.0'?>
        <job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd">
          <queue_info>
            <job_list state="running">
              <JB_job_number>4</JB_job_number>
              <JAT_prio>0.75000</JAT_prio>
              <JB_name>t1</JB_name>
              <JB_owner>root</JB_owner>
              <state>r</state>
              <JAT_start_time>2026-12-06T01:24:14</JAT_start_time>
              <queue_name>all.q@localhost</queue_name>
              <slots>1</slots>
            </job_list>
          </queue_info>
          <job_info>
            <job_list state="pending">
              <JB_job_number>5</JB_job_number>
              <JAT_prio>0.00000</JAT_prio>
              <JB_name>held</JB_name>
              <JB_owner>root</JB_owner>
              <state>hqw</state>
              <JB_submission_time>2026-12-06T01:24:27</JB_submission_time>
              <queue_name></queue_name>
              <slots>1</slots>
            </job_list>
          </job_info>
        </job_info>
        """;

    private const string Accounting =
        """
        ==============================================================
        qname        all.q
        hostname     localhost
        owner        root
        jobname      t1
        jobnumber    4
        failed       0
        exit_status  0
        ru_wallclock 30s
        """;

    private static CommandResult Ok(string stdout) => new(0, stdout, "");

    private static CommandResult Fail(string stdout, string stderr = "") => new(1, stdout, stderr);

    [Theory]
    [InlineData("4\n", "4")]
    [InlineData("warning: something\n17\n", "17")]
    public void ParseSubmit_TerseOutput_GivesJobId(string stdout, string jobId) =>
        Assert.Equal(jobId, GridEngineCli.ParseSubmit(Ok(stdout)));

    [Fact]
    public void ParseSubmit_Refused_CarriesGridEnginesReason()
    {
        var e = Assert.Throws<BackendException>(() => GridEngineCli.ParseSubmit(Fail("", "Unable to run job: Job was rejected because job requests unknown queue \"gpu.q\".\n")));
        Assert.Equal("Grid Engine refused the job: Unable to run job: Job was rejected because job requests unknown queue \"gpu.q\".", e.Message);
    }

    [Fact]
    public void ParseQueue_RunningJob_GivesItsHostFromTheQueueInstance() =>
        Assert.Equal(new BatchJobState("4", "r", BatchJobPhase.Running, "localhost"), GridEngineCli.ParseQueue("4", Ok(QueueXml)).Job);

    [Fact]
    public void ParseQueue_HeldJob_IsQueuedAndHeld() =>
        Assert.Equal(new BatchJobState("5", "hqw", BatchJobPhase.Pending, "", "queued: held"), GridEngineCli.ParseQueue("5", Ok(QueueXml)).Job);

    [Fact]
    public void ParseQueue_JobNotListed_IsNotFound() =>
        Assert.Equal(BatchQueryOutcome.NotFound, GridEngineCli.ParseQueue("6", Ok(QueueXml)).Outcome);

    [Theory]
    [InlineData("error: commlib error: got select error (Connection refused)\n")]
    [InlineData("")]
    public void ParseQueue_QstatFails_IsFailedNotEnded(string stderr) =>
        Assert.Equal(BatchQueryOutcome.Failed, GridEngineCli.ParseQueue("4", Fail("", stderr)).Outcome);

    [Fact]
    public void ParseQueue_BrokenXml_IsFailed() =>
        Assert.Equal(BatchQueryOutcome.Failed, GridEngineCli.ParseQueue("4", Ok("<job_info><job_list>")).Outcome);

    [Theory]
    [InlineData("qw", BatchJobPhase.Pending)]
    [InlineData("hqw", BatchJobPhase.Pending)]
    [InlineData("t", BatchJobPhase.Pending)]
    [InlineData("r", BatchJobPhase.Running)]
    [InlineData("hr", BatchJobPhase.Running)]
    [InlineData("Rr", BatchJobPhase.Running)]
    [InlineData("dr", BatchJobPhase.Other)]
    [InlineData("s", BatchJobPhase.Other)]
    [InlineData("Eqw", BatchJobPhase.Ended)]
    [InlineData("", BatchJobPhase.Other)]
    public void PhaseOf_StateLetters_Classifies(string state, BatchJobPhase phase) => Assert.Equal(phase, GridEngineCli.PhaseOf(state));

    [Fact]
    public void ParseSchedulingInfo_SeveralLines_JoinsThem() =>
        Assert.Equal(
            "queue instance \"all.q@localhost\" dropped because it is full; All queues dropped because of overload or full",
            GridEngineCli.ParseSchedulingInfo(Ok(
                """
                job_name:                   held
                binding:                    NONE
                scheduling info:            queue instance "all.q@localhost" dropped because it is full
                                            All queues dropped because of overload or full
                """)));

    [Theory]
    [InlineData("scheduling info:            There are no messages available\n")]
    [InlineData("scheduling info:            (Collecting of scheduler job information is turned off)\n")]
    [InlineData("job_name:                   t1\n")]
    public void ParseSchedulingInfo_NothingUseful_IsEmpty(string stdout) =>
        Assert.Equal("", GridEngineCli.ParseSchedulingInfo(Ok(stdout)));

    [Fact]
    public void ParseAccounting_Finished_GivesExitStatusAndHost() =>
        Assert.Equal(new BatchJobState("4", "exit status 0", BatchJobPhase.Ended, "localhost", "", 0) { Succeeded = true },
            GridEngineCli.ParseAccounting("4", Ok(Accounting)).Job);

    [Fact]
    public void ParseAccounting_Killed_IsAFailure()
    {
        var job = GridEngineCli.ParseAccounting("4", Ok(Accounting.Replace("failed       0", "failed       100 : assumedly after job").Replace("exit_status  0", "exit_status  137"))).Job!;

        Assert.Equal(137, job.ExitCode);
        Assert.False(job.Succeeded);
        Assert.Equal("failed (100 : assumedly after job)", job.State);
    }

    [Fact]
    public void ParseAccounting_UnknownJob_IsNotFound() =>
        Assert.Equal(BatchQueryOutcome.NotFound, GridEngineCli.ParseAccounting("999", Fail("", "error: job id 999 not found\n")).Outcome);

    [Fact]
    public void ParseAccounting_NoAccountingFile_IsFailed() =>
        Assert.Equal(BatchQueryOutcome.Failed, GridEngineCli.ParseAccounting("4", Fail("", "error: can't open accounting file\n")).Outcome);

    [Fact]
    public void CancelFoundNothing_JobDoesNotExist_IsTrue() =>
        Assert.True(GridEngineCli.CancelFoundNothing(Fail("denied: job \"999\" does not exist\n")));

    [Fact]
    public void Commands_UseThePrefixesAndNeverCarryValues()
    {
        var cli = new GridEngineCli(new GridEngineBackendOptions
        {
            ExecPrefix = ["ip", "netns", "exec", "ns1"],
            QueryExecPrefix = ["runuser", "-u", "{username}", "--"],
            CommandEnvironment = { ["SGE_ROOT"] = "/var/lib/gridengine" },
        });

        var submit = cli.Submit("#!/bin/bash\n", "alice", new Dictionary<string, string> { ["JUPYTERHUB_API_TOKEN"] = "secret" });

        Assert.Equal(["ip", "netns", "exec", "ns1", "qsub", "-terse"], [submit.FileName, .. submit.Arguments]);
        Assert.Equal("secret", submit.Environment["JUPYTERHUB_API_TOKEN"]);
        Assert.Equal("/var/lib/gridengine", submit.Environment["SGE_ROOT"]);
        var queue = cli.Queue("alice");
        Assert.Equal(["runuser", "-u", "alice", "--", "qstat", "-xml", "-u", "alice"], [queue.FileName, .. queue.Arguments]);
        var everyone = new GridEngineCli(new GridEngineBackendOptions()).Queue("");
        Assert.Equal(["qstat", "-xml", "-u", "*"], [everyone.FileName, .. everyone.Arguments]);
        var hosts = cli.Hosts();
        Assert.Equal(["qhost"], [hosts.FileName, .. hosts.Arguments]);
    }
}
