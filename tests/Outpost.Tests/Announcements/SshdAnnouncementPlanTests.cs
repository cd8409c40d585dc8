using Outpost.Announcements;
using Outpost.Servers;

namespace Outpost.Tests.Announcements;

public sealed class SshdAnnouncementPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void For_TwoHubsWithRunningServers_OneAnnouncementEach()
    {
        var plan = SshdAnnouncementPlan.For([
            Server("hub1", "a", "http://h1/hub/api/recreateforward/sys", "tok-a", T0),
            Server("hub1", "b", "http://h1/hub/api/recreateforward/sys", "tok-b", T0.AddMinutes(1)),
            Server("hub2", "c", "https://h2/hub/api/recreateforward/sys", "tok-c", T0),
        ]);

        Assert.Equal(
            [new("hub1", "http://h1/hub/api/recreateforward/sys", "tok-b"), new SshdAnnouncement("hub2", "https://h2/hub/api/recreateforward/sys", "tok-c")],
            plan);
    }

    [Theory]
    [InlineData(ServerPhase.Pending)]
    [InlineData(ServerPhase.Starting)]
    [InlineData(ServerPhase.Stopping)]
    [InlineData(ServerPhase.Stopped)]
    public void For_HubWithoutRunningServers_GetsNone(ServerPhase phase)
    {
        Assert.Empty(SshdAnnouncementPlan.For([Server("hub1", "a", "http://h1/x", "tok", T0, phase)]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/path")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://h1/x")]
    [InlineData("http://user:pw@h1/x")]
    public void For_ServerWithoutAUsableUrl_GetsNone(string? url)
    {
        Assert.Empty(SshdAnnouncementPlan.For([Server("hub1", "a", url, "tok", T0)]));
    }

    [Fact]
    public void For_ServerWithoutToken_GetsNone()
    {
        Assert.Empty(SshdAnnouncementPlan.For([Server("hub1", "a", "http://h1/x", null, T0)]));
    }

    [Fact]
    public void For_OneHubTwoUrls_OnePerUrl()
    {
        var plan = SshdAnnouncementPlan.For([
            Server("hub1", "a", "http://h1/x/sys1", "t1", T0),
            Server("hub1", "b", "http://h1/x/sys2", "t2", T0),
        ]);

        Assert.Equal(["http://h1/x/sys1", "http://h1/x/sys2"], plan.Select(a => a.Url));
    }

    [Fact]
    public void Body_CarriesReasonAndId()
    {
        var id = Guid.CreateVersion7();

        Assert.Equal($$"""{"reason":"sshd_restarted","id":"{{id}}"}""", SshdRestartAnnouncer.Body(SshdRestartAnnouncer.SshdRestartedReason, id));
    }

    private static (ServerRecord, ServerSpec) Server(string hub, string name, string? url, string? token, DateTimeOffset started, ServerPhase phase = ServerPhase.Running)
    {
        var env = new Dictionary<string, string>();
        if (token is not null)
        {
            env[HubEnv.ApiToken] = token;
        }
        var record = new ServerRecord
        {
            Key = new ServerKey(hub, name, "s1"),
            UserName = "u",
            Backend = "local",
            ResourceName = name,
            Phase = phase,
            ProtectedSpec = [],
            StartDate = started,
        };
        return (record, new ServerSpec { Name = name, StartId = "s1", Env = env, RecreateForwardUrl = url });
    }
}
