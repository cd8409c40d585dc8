using Outpost.Checks;

namespace Outpost.Tests.Checks;

public sealed class CheckLineTests
{
    [Fact]
    public void ToString_Ok_IsOneLine() =>
        Assert.Equal("ok    Storage: answers", CheckLine.Ok("Storage", "answers").ToString());

    [Fact]
    public void ToString_WarnAndFail_AddTheFixOnAnIndentedSecondLine()
    {
        Assert.Equal("warn  Clock: 2.0 s ahead\n      fix: use NTP", CheckLine.Warn("Clock", "2.0 s ahead", "use NTP").ToString());
        Assert.Equal("fail  Backend Slurm: sinfo fails\n      fix: start slurmctld", CheckLine.Fail("Backend Slurm", "sinfo fails", "start slurmctld").ToString());
    }
}
