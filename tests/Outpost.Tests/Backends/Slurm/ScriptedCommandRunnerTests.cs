using Outpost.Processes;

namespace Outpost.Tests.Backends.Slurm;

public sealed class ScriptedCommandRunnerTests
{
    [Fact]
    public async Task RunAsync_ExpectedCommands_AnswersInOrder()
    {
        var runner = new ScriptedCommandRunner()
            .Expect(["squeue", "-h"], stdout: "first", times: 2)
            .Expect(["scancel", "7"], stderr: "gone", exitCode: 1);

        var a = await runner.RunAsync(new CommandSpec { FileName = "squeue", Arguments = ["-h"] }, default);
        var b = await runner.RunAsync(new CommandSpec { FileName = "squeue", Arguments = ["-h"] }, default);
        var c = await runner.RunAsync(new CommandSpec { FileName = "scancel", Arguments = ["7"] }, default);

        Assert.Equal(("first", "first"), (a.StandardOutput, b.StandardOutput));
        Assert.Equal((1, "gone"), (c.ExitCode, c.StandardError));
        Assert.Equal(3, runner.Received.Count);
        runner.AssertDone();
    }

    [Fact]
    public async Task RunAsync_SurpriseCommand_ThrowsAndFailsAssertDone()
    {
        var runner = new ScriptedCommandRunner().Expect(["squeue", "-h"]);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => runner.RunAsync(new CommandSpec { FileName = "scancel", Arguments = ["1"] }, default));

        Assert.Single(runner.Surprises);
        Assert.ThrowsAny<Exception>(runner.AssertDone);
    }

    [Fact]
    public void AssertDone_UnusedExpectation_Fails()
    {
        var runner = new ScriptedCommandRunner().Expect(["sbatch", "--parsable"]);

        Assert.ThrowsAny<Exception>(runner.AssertDone);
    }

    [Fact]
    public async Task RunAsync_ScriptedException_IsThrown()
    {
        var runner = new ScriptedCommandRunner().ExpectThrow(["squeue"], new TimeoutException("slow"));

        await Assert.ThrowsAsync<TimeoutException>(() => runner.RunAsync(new CommandSpec { FileName = "squeue" }, default));
        runner.AssertDone();
    }
}
