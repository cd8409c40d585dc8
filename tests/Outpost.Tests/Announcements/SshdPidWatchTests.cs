using Outpost.Announcements;

namespace Outpost.Tests.Announcements;

public sealed class SshdPidWatchTests
{
    [Fact]
    public void Observe_FirstPid_IsOnlyTheBaseline()
    {
        Assert.False(new SshdPidWatch().Observe("123\n"));
    }

    [Fact]
    public void Observe_SamePid_NoRestart()
    {
        var watch = new SshdPidWatch();
        watch.Observe("123\n");

        Assert.False(watch.Observe("123"));
    }

    [Fact]
    public void Observe_NewPid_IsARestart_OnceOnly()
    {
        var watch = new SshdPidWatch();
        watch.Observe("123");

        Assert.True(watch.Observe("456\n"));
        Assert.False(watch.Observe("456"));
    }

    [Fact]
    public void Observe_FileGoneThenNewPid_IsOneRestart()
    {
        var watch = new SshdPidWatch();
        watch.Observe("123");

        Assert.False(watch.Observe(null));
        Assert.False(watch.Observe(""));
        Assert.True(watch.Observe("456"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("12 34")]
    [InlineData("-1")]
    public void Observe_NotAPid_IsIgnored(string content)
    {
        var watch = new SshdPidWatch();
        watch.Observe("123");

        Assert.False(watch.Observe(content));
        Assert.False(watch.Observe("123"));
    }
}
