using Outpost.Announcements;

namespace Outpost.Tests.Announcements;

public sealed class SshdAnnouncementOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        Assert.True(new SshdAnnouncementOptionsValidator().Validate(null, new SshdAnnouncementOptions()).Succeeded);
    }

    [Fact]
    public void Validate_BadValues_NameTheKeys()
    {
        var result = new SshdAnnouncementOptionsValidator().Validate(null, new SshdAnnouncementOptions { CheckSeconds = 0, SshdPidFile = "run/sshd.pid" });

        Assert.Contains(result.Failures!, f => f.StartsWith("Outpost:SshdAnnouncements:CheckSeconds must be between 1 and 3600", StringComparison.Ordinal));
        Assert.Contains("Outpost:SshdAnnouncements:SshdPidFile must be an absolute path.", result.Failures!);
    }
}
