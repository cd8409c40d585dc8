using Outpost.Events;

namespace Outpost.Tests.Events;

public sealed class EventsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(new EventsOptionsValidator().Validate(null, new EventsOptions()).Succeeded);

    public static TheoryData<EventsOptions, string> BadOptions() => new()
    {
        { new EventsOptions { TimeoutSeconds = 0 }, "Outpost:Events:TimeoutSeconds" },
        { new EventsOptions { InitialBackoffMilliseconds = -5 }, "Outpost:Events:InitialBackoffMilliseconds" },
        { new EventsOptions { MaxBackoffSeconds = 0 }, "Outpost:Events:MaxBackoffSeconds" },
        { new EventsOptions { MaxAgeHours = 0 }, "Outpost:Events:MaxAgeHours" },
        { new EventsOptions { Parallelism = 0 }, "Outpost:Events:Parallelism" },
        { new EventsOptions { Parallelism = 257 }, "Outpost:Events:Parallelism" },
        { new EventsOptions { GatherStartEventsMilliseconds = -1 }, "Outpost:Events:GatherStartEventsMilliseconds" },
        { new EventsOptions { GatherStartEventsMilliseconds = 10_001 }, "Outpost:Events:GatherStartEventsMilliseconds" },
        { new EventsOptions { InitialBackoffMilliseconds = 5000, MaxBackoffSeconds = 1 }, "Outpost:Events:InitialBackoffMilliseconds (5000) is above Outpost:Events:MaxBackoffSeconds" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_Bad_FailsNamingTheKey(EventsOptions options, string expected)
    {
        var result = new EventsOptionsValidator().Validate(null, options);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.FailureMessage);
    }
}
