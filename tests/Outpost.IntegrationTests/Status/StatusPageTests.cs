using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Outpost.IntegrationTests.Status;

/// <summary><c>/status</c>: off by default, its own credential only, and what it shows.</summary>
public sealed class StatusPageTests
{
    [Fact]
    public async Task Status_NotConfigured_Is404EvenWithCredentials()
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var hub = outpost.Client();
        using var anonymous = new HttpClient { BaseAddress = new Uri(outpost.BaseUrl) };

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/status")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hub.GetAsync("/status")).StatusCode);
    }

    [Fact]
    public async Task Status_AnonymousHubOrWrongPassword_IsRefused_AndTheAdminIsLetIn()
    {
        await using var scenario = await StatusScenario.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(scenario.Outpost.BaseUrl) };
        using var hub = scenario.Outpost.Client(OutpostHost.Hub1);
        using var wrong = scenario.AdminClient(password: "not-the-password");
        using var hubName = scenario.AdminClient(user: OutpostHost.Hub1, password: OutpostHost.Password1);
        using var admin = scenario.AdminClient();

        foreach (var client in new[] { anonymous, hub, wrong, hubName })
        {
            using var refused = await client.GetAsync("/status");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Basic realm=\"Outpost status\", charset=\"UTF-8\"", refused.Headers.WwwAuthenticate.ToString());
            Assert.DoesNotContain("Outpost status</h1>", await refused.Content.ReadAsStringAsync());
        }
        using var page = await admin.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            string.Join(",", page.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        // The admin's credential is not a hub's: it opens no hub route.
        using var services = await admin.GetAsync("/services");
        Assert.Equal(HttpStatusCode.Unauthorized, services.StatusCode);
    }

    [Fact]
    public async Task Status_TooManyWrongPasswords_Is429_EvenForTheRightOne()
    {
        await using var scenario = await StatusScenario.StartAsync(new() { ["Outpost:AuthLimits:FailuresPerMinutePerAddress"] = "2" });
        using var wrong = scenario.AdminClient(password: "guess");
        using var admin = scenario.AdminClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/status")).StatusCode);
        using var limited = await admin.GetAsync("/status");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task Status_ServersInSeveralStates_AreShownWithTheFailureEncoded()
    {
        await using var scenario = await StatusScenario.StartAsync();
        await scenario.PopulateAsync();
        using var admin = scenario.AdminClient();

        var html = await admin.GetStringAsync("/status");

        Assert.Contains("Job refused: &lt;b&gt;quota&lt;/b&gt; &amp; &quot;limits&quot; exceeded on partition gpu", html);
        Assert.DoesNotContain("<b>quota</b>", html);
        Assert.Contains("Kernel died: out of memory", html);
        foreach (var phase in new[] { "running", "starting", "failed", "stopped" })
        {
            Assert.Contains($"\">{phase}</span>", html);
        }
        // Alice's gpu-run counts against the gpu flavor; Bob's failed start does not.
        Assert.Contains("<td>hub1</td><td>gpu</td><td class=\"n\">1</td><td class=\"n\">2</td>", html);
        var backlog = html[html.IndexOf("id=\"event-backlog\"", StringComparison.Ordinal)..html.IndexOf("id=\"flavors\"", StringComparison.Ordinal)];
        Assert.Contains("<td>hub2</td>", backlog); // hub2 refuses every event
        Assert.DoesNotContain("<td>hub1</td>", backlog);
        Assert.DoesNotContain("token-of-", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }
}
