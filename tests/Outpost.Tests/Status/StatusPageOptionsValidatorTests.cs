using Microsoft.Extensions.Options;
using Outpost.Hubs;
using Outpost.Status;

namespace Outpost.Tests.Status;

public sealed class StatusPageOptionsValidatorTests
{
    private static StatusPageOptionsValidator Validator(params string[] hubs)
    {
        var options = new HubsOptions();
        foreach (var hub in hubs)
        {
            options.Hubs[hub] = new HubOptions { Password = "password-long" };
        }
        return new StatusPageOptionsValidator(Options.Create(options));
    }

    [Fact]
    public void Validate_Defaults_AreValidAndOff()
    {
        var options = new StatusPageOptions();

        Assert.True(Validator().Validate(null, options).Succeeded);
        Assert.False(options.IsEnabled);
    }

    [Fact]
    public void Validate_BadHashHubUserNameAndRanges_NameEachKey()
    {
        var options = new StatusPageOptions { PasswordHash = "secret", UserName = "Hub1", RecentFailures = 0, MaxServersListed = -1 };

        var failures = Validator("hub1").Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Outpost:StatusPage:PasswordHash is not a pbkdf2-sha256 hash", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Outpost:StatusPage:UserName 'Hub1' is also a hub's name", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Outpost:StatusPage:RecentFailures must be between", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Outpost:StatusPage:MaxServersListed must be between", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ad:min")]
    public void Validate_UserNameBasicCannotCarry_IsRefused(string userName)
    {
        var options = new StatusPageOptions { PasswordHash = PasswordHash.Create("pw", 10_000), UserName = userName };

        Assert.Contains(Validator().Validate(null, options).Failures!, f => f.StartsWith("Outpost:StatusPage:UserName must be", StringComparison.Ordinal));
    }
}
