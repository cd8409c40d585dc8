using Outpost.Hubs;

namespace Outpost.Tests.Hubs;

public sealed class AuthLimitsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(new AuthLimitsOptionsValidator().Validate(null, new AuthLimitsOptions()).Succeeded);

    [Fact]
    public void Validate_OutOfRange_NamesEveryKey()
    {
        var result = new AuthLimitsOptionsValidator().Validate(null, new AuthLimitsOptions
        {
            FailuresPerMinutePerAddress = 0,
            FailuresPerMinutePerHub = -1,
            ConcurrentHashVerifications = 0,
        });

        Assert.False(result.Succeeded);
        Assert.Contains("Outpost:AuthLimits:FailuresPerMinutePerAddress", result.FailureMessage);
        Assert.Contains("Outpost:AuthLimits:FailuresPerMinutePerHub", result.FailureMessage);
        Assert.Contains("Outpost:AuthLimits:ConcurrentHashVerifications", result.FailureMessage);
    }
}
