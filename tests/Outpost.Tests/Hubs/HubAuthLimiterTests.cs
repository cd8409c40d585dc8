using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Hubs;

namespace Outpost.Tests.Hubs;

public sealed class HubAuthLimiterTests
{
    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    public void AddressKey_IPv6_IsItsSlash64(string address, string expected) =>
        Assert.Equal(expected, HubAuthLimiter.AddressKey(IPAddress.Parse(address)));

    [Fact]
    public void RetryAfter_AfterTheAllowedFailures_RefusesThatAddressAndHubOnly()
    {
        using var limiter = Limiter(perAddress: 3, perHub: 5);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(limiter.RetryAfter("a", "hub1"));
            limiter.Failed("a", "hub1");
            Thread.Sleep(20); // the buckets refill in fractions meanwhile: still no whole try
        }

        Assert.NotNull(limiter.RetryAfter("a", "hub1"));
        Assert.NotNull(limiter.RetryAfter("a", "hub2"));
        Assert.Null(limiter.RetryAfter("b", "hub1"));
    }

    [Fact]
    public void RetryAfter_HubLimited_StillLetsTheHubsOwnAddressTry()
    {
        using var limiter = Limiter(perAddress: 100, perHub: 2);
        limiter.Succeeded("home", "hub1");

        limiter.Failed("x", "hub1");
        limiter.Failed("y", "hub1");

        Assert.NotNull(limiter.RetryAfter("z", "hub1"));
        Assert.Null(limiter.RetryAfter("home", "hub1"));
        Assert.Null(limiter.RetryAfter("z", "hub2"));
    }

    [Fact]
    public void RetryAfter_NeighbourBehindTheSameAddressFailing_DoesNotLockOutAHubKnownThere()
    {
        // Two hubs behind one NAT or load balancer address: one with a wrong password must not lock out the other.
        using var limiter = Limiter(perAddress: 3, perHub: 100);
        limiter.Succeeded("nat", "good-hub");
        for (var i = 0; i < 10; i++)
        {
            limiter.Failed("nat", "misconfigured-hub");
        }

        Assert.NotNull(limiter.RetryAfter("nat", "misconfigured-hub"));
        Assert.NotNull(limiter.RetryAfter("nat", "unknown-hub"));
        Assert.Null(limiter.RetryAfter("nat", "good-hub"));
    }

    [Fact]
    public void RetryAfter_WrongPasswordsForAHubAtItsOwnAddress_AreLimitedThere()
    {
        using var limiter = Limiter(perAddress: 3, perHub: 100);
        limiter.Succeeded("home", "hub1");
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(limiter.RetryAfter("home", "hub1"));
            limiter.Failed("home", "hub1");
        }

        Assert.NotNull(limiter.RetryAfter("home", "hub1"));
        Assert.Null(limiter.RetryAfter("home", "hub2")); // the address as such is not used up
    }

    [Fact]
    public void RetryAfter_Successes_TakeNothing()
    {
        using var limiter = Limiter(perAddress: 1, perHub: 1);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Null(limiter.RetryAfter("a", "hub1"));
            limiter.Succeeded("a", "hub1");
        }
    }

    private static HubAuthLimiter Limiter(int perAddress, int perHub) => new(
        Options.Create(new AuthLimitsOptions { FailuresPerMinutePerAddress = perAddress, FailuresPerMinutePerHub = perHub }),
        NullLogger<HubAuthLimiter>.Instance);
}
