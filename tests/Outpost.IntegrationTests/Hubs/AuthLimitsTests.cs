using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Outpost.IntegrationTests.Hubs;

/// <summary>
/// Failed authentication is rate limited per client address and per hub name. Clients come from different loopback
/// addresses (127.0.0.x), which Linux routes to the Outpost on 127.0.0.1.
/// </summary>
public sealed class AuthLimitsTests
{
    [Fact]
    public async Task WrongPasswords_FromOneAddress_Are429_ThenTheRightPasswordToo_OtherAddressesUnaffected()
    {
        await using var outpost = await OutpostHost.StartAsync(new() { ["Outpost:AuthLimits:FailuresPerMinutePerAddress"] = "5" });
        using var guesser = From(outpost, "127.0.0.2", OutpostHost.Hub1, "wrong-password");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/services")).StatusCode);
        }
        using var limited = await guesser.GetAsync("/services");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), limited.Headers.ToString());
        Assert.StartsWith("application/json", limited.Content.Headers.ContentType?.ToString());
        Assert.True(JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.TryGetProperty("detail", out _));
        // A right password while limited is refused too: answering it would tell the guesser it was right.
        using var rightFromGuesser = From(outpost, "127.0.0.2", OutpostHost.Hub1, OutpostHost.Password1);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await rightFromGuesser.GetAsync("/services")).StatusCode);
        using var elsewhere = From(outpost, "127.0.0.3", OutpostHost.Hub1, OutpostHost.Password1);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/services")).StatusCode);
        using var wrongElsewhere = From(outpost, "127.0.0.3", OutpostHost.Hub2, "wrong-password");
        using var unauthorized = await wrongElsewhere.GetAsync("/services");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("""{"detail":"Incorrect username or password"}""", await unauthorized.Content.ReadAsStringAsync());
        Assert.Equal("Basic", unauthorized.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task WrongPasswordsForOneHub_FromManyAddresses_LimitThatName_NotOtherHubsNorTheHubsOwnAddress()
    {
        await using var outpost = await OutpostHost.StartAsync(new() { ["Outpost:AuthLimits:FailuresPerMinutePerHub"] = "4" });
        using var hub1 = From(outpost, "127.0.0.1", OutpostHost.Hub1, OutpostHost.Password1);
        Assert.Equal(HttpStatusCode.OK, (await hub1.GetAsync("/services")).StatusCode);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var guesser = From(outpost, $"127.0.1.{i + 1}", OutpostHost.Hub1, $"wrong-password-{i}");
            statuses.Add((await guesser.GetAsync("/services")).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var rightFromNewAddress = From(outpost, "127.0.2.1", OutpostHost.Hub1, OutpostHost.Password1);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await rightFromNewAddress.GetAsync("/services")).StatusCode);
        using var hub2 = From(outpost, "127.0.2.1", OutpostHost.Hub2, OutpostHost.Password2);
        Assert.Equal(HttpStatusCode.OK, (await hub2.GetAsync("/services")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub1.GetAsync("/services")).StatusCode);
    }

    [Fact]
    public async Task PollingHub_ThousandsOfRightRequests_NeverLimited_WhileAGuesserIsLockedOut()
    {
        await using var outpost = await OutpostHost.StartAsync(new()
        {
            ["Outpost:AuthLimits:FailuresPerMinutePerAddress"] = "3",
            ["Outpost:AuthLimits:FailuresPerMinutePerHub"] = "3",
        });
        using var hub = From(outpost, "127.0.0.1", OutpostHost.Hub1, OutpostHost.Password1);
        Assert.Equal(HttpStatusCode.OK, (await hub.GetAsync("/services")).StatusCode);
        using var guesser = From(outpost, "127.0.0.4", OutpostHost.Hub1, "wrong-password");
        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            guesses.Add((await guesser.GetAsync("/services")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, guesses[^1]);

        var refused = 0;
        await Parallel.ForAsync(0, 3000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, cancellationToken) =>
        {
            using var response = await hub.GetAsync("/services", cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref refused);
            }
        });

        Assert.Equal(0, refused);
    }

    [Fact]
    public async Task Start_BadAuthLimits_FailsNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => OutpostHost.StartAsync(new() { ["Outpost:AuthLimits:FailuresPerMinutePerAddress"] = "0" }));

        Assert.Contains("Outpost:AuthLimits:FailuresPerMinutePerAddress", error.ToString());
    }

    /// <summary>A client whose connections come from <paramref name="sourceAddress"/>.</summary>
    private static HttpClient From(OutpostHost outpost, string sourceAddress, string hub, string password)
    {
        var handler = LoopbackSource.Handler(sourceAddress);
        var client = new HttpClient(handler) { BaseAddress = new Uri(outpost.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{hub}:{password}")));
        return client;
    }
}
