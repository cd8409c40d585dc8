using Outpost.Backends.LocalProcess;

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
}
