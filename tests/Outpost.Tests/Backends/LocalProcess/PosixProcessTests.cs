using Outpost.Backends.LocalProcess;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Backends.LocalProcess;

public sealed class PosixProcessTests
{
    [Fact]
    public void StartTicks_OwnPid_IsStableValue()
    {
        var first = PosixProcess.StartTicks(Environment.ProcessId);

        Assert.NotNull(first);
        Assert.True(first > 0);
        Assert.Equal(first, PosixProcess.StartTicks(Environment.ProcessId));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    public void StartTicks_NoSuchPid_IsNull(int pid) => Assert.Null(PosixProcess.StartTicks(pid));

    private static readonly Dictionary<string, string> Env = new() { ["PATH"] = "/usr/bin:/bin", ["A"] = "1" };

    [Fact]
    public async Task SpawnGated_RunsTheProgramOnlyOnceTheGateOpens_AsTheSameProcess()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        var log = Path.Combine(dir, "out.log");

        var (pid, gate) = PosixProcess.SpawnGated("/bin/sh", ["sh", "-c", "echo ran $$ in $(pwd)"], Env, dir, log);
        using (gate)
        {
            await WaitUntilBlockedInReadAsync(pid); // waiting at the gate
            Assert.NotNull(PosixProcess.StartTicks(pid));
            Assert.Equal("", await File.ReadAllTextAsync(log));
            Assert.True(gate.Open());
        }

        Assert.Equal(0, await ExitAsync(pid));
        Assert.Equal($"ran {pid} in {dir}\n", await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task SpawnGated_GateClosedUnopened_TheProgramNeverRuns()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        var log = Path.Combine(dir, "out.log");
        var marker = Path.Combine(dir, "ran");

        var (pid, gate) = PosixProcess.SpawnGated("/bin/sh", ["sh", "-c", $"touch {marker}"], Env, dir, log);
        gate.Dispose(); // as when the Outpost dies: the kernel closes its end of the pipe

        Assert.Equal(125, await ExitAsync(pid));
        Assert.False(File.Exists(marker));
        Assert.Equal("", await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task SpawnGated_TheProgramGetsExactlyTheGivenEnvironment()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        var log = Path.Combine(dir, "out.log");

        var (pid, gate) = PosixProcess.SpawnGated("/usr/bin/env", ["env"], Env, dir, log);
        using (gate)
        {
            gate.Open();
        }

        Assert.Equal(0, await ExitAsync(pid));
        Assert.Equal(["A=1", "PATH=/usr/bin:/bin"], (await File.ReadAllLinesAsync(log)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SpawnGated_ALaterChildDoesNotKeepAnEarlierGateOpen()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        var (first, firstGate) = PosixProcess.SpawnGated("/bin/sh", ["sh", "-c", "true"], Env, dir, Path.Combine(dir, "1.log"));
        var (second, secondGate) = PosixProcess.SpawnGated("/bin/sleep", ["sleep", "30"], Env, dir, Path.Combine(dir, "2.log"));
        try
        {
            secondGate.Open();

            firstGate.Dispose();

            // Had the second child inherited the first gate's write end, the first would wait for the second.
            Assert.Equal(125, await ExitAsync(first));
            Assert.NotNull(PosixProcess.StartTicks(second));
        }
        finally
        {
            secondGate.Dispose();
            PosixProcess.SignalGroup(second, PosixProcess.SigKill);
            await ExitAsync(second);
        }
    }

    /// <summary>Waits until the process sleeps in read(2) (syscall 0 on x86-64, first field of /proc/PID/syscall): the gate script's only read.</summary>
    private static async Task WaitUntilBlockedInReadAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.ReadAllText($"/proc/{pid}/syscall").StartsWith("0 ", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} did not block in read: {File.ReadAllText($"/proc/{pid}/syscall")}");
            await Task.Delay(20);
        }
    }

    private static Task<int?> ExitAsync(int pid) =>
        Task.Factory.StartNew(() => PosixProcess.WaitForExit(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .WaitAsync(TimeSpan.FromSeconds(20));
}
