using Outpost.Servers;
using Outpost.Status;

namespace Outpost.Tests.Status;

public sealed class StatusPageHtmlTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static StatusReport Report(
        IReadOnlyList<StatusReport.Failure>? failures = null, IReadOnlyList<StatusReport.Replica>? replicas = null, string hub = "hub1") => new(
        Now,
        "replica-1",
        [new StatusReport.HubServers(hub, new Dictionary<ServerPhase, int> { [ServerPhase.Running] = 2, [ServerPhase.Failed] = 1 })],
        [new StatusReport.Server(hub, "", "alice", ServerPhase.Running, "local", "small", Now.AddMinutes(-5))],
        ServersNotListed: 0,
        failures ?? [],
        [new StatusReport.Backlog(hub, 3, TimeSpan.FromMinutes(90))],
        [new StatusReport.FlavorUse(hub, "small", 2, null)],
        replicas ?? [new StatusReport.Replica("replica-1", IsLeader: true, IsThisOne: true, LeaseLeft: null, ClockAhead: null)]);

    [Fact]
    public void Render_ValuesWithMarkup_AreEncodedEverywhere()
    {
        var failure = new StatusReport.Failure("<hub>", "<img src=x>", "bob&co", ServerPhase.Failed, null, Now, "<script>alert(1)</script>");

        var html = StatusPageHtml.Render(Report([failure], hub: "<hub>"));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<hub>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("bob&amp;co", html);
    }

    [Fact]
    public void Render_Report_ShowsCountsBacklogFlavorsAndTheLeader()
    {
        var html = StatusPageHtml.Render(Report());

        Assert.Contains("<td>hub1</td><td class=\"n zero\">0</td><td class=\"n zero\">0</td><td class=\"n\">2</td>", html);
        Assert.Contains("<td>hub1</td><td class=\"n\">3</td><td class=\"n\">1 h 30 min</td>", html);
        Assert.Contains("<td>hub1</td><td>small</td><td class=\"n\">2</td><td class=\"n\">unlimited</td>", html);
        Assert.Contains("<td>replica-1 (this one)</td><td>leader</td>", html);
        Assert.Contains("<td>(default)</td>", html);
        Assert.Contains("No failed servers are stored.", html);
    }

    [Fact]
    public void Render_NoLeaderAndAClockAhead_AreWarnedAbout()
    {
        var html = StatusPageHtml.Render(Report(replicas:
        [
            new StatusReport.Replica("a", IsLeader: false, IsThisOne: true, TimeSpan.FromSeconds(20), null),
            new StatusReport.Replica("b", IsLeader: false, IsThisOne: false, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(20)),
        ]));

        Assert.Contains("No replica leads", html);
        Assert.Contains("ahead of this one by at least 20 s", html);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(59, "59 s")]
    [InlineData(60, "1 min")]
    [InlineData(3 * 3600 + 5 * 60, "3 h 5 min")]
    [InlineData(2 * 86400 + 4 * 3600, "2 d 4 h")]
    [InlineData(-5, "0 s")]
    public void Duration_IsShortAndRounded(int seconds, string expected) =>
        Assert.Equal(expected, StatusPageHtml.Duration(TimeSpan.FromSeconds(seconds)));
}
