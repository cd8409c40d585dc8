using Outpost.Hubs;

namespace Outpost.Tests.Hubs;

public sealed class HubsOptionsValidatorTests
{
    private static readonly string WellFormedHash = PasswordHash.Create("long-enough", 10_000);

    [Fact]
    public void Validate_NoHubs_Succeeds() => Assert.True(Validate([]).Succeeded);

    [Fact]
    public void Validate_GoodHubs_Succeeds()
    {
        var result = Validate(new()
        {
            ["hub1"] = new HubOptions { Password = "long-enough", AllowedEnv = ["MY_VAR"] },
            ["hub-2.example_x"] = new HubOptions { PasswordHash = WellFormedHash },
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    public static TheoryData<string, HubOptions, string> BadHubs() => new()
    {
        { "-hub", new HubOptions { Password = "long-enough" }, "Outpost:Hubs:-hub" },
        { "hub/1", new HubOptions { Password = "long-enough" }, "Outpost:Hubs:hub/1" },
        { new string('h', 64), new HubOptions { Password = "long-enough" }, $"Outpost:Hubs:{new string('h', 64)}" },
        { "hub1", new HubOptions(), "Outpost:Hubs:hub1" },
        { "hub1", new HubOptions { Password = "long-enough", PasswordHash = WellFormedHash }, "Outpost:Hubs:hub1" },
        { "hub1", new HubOptions { Password = "short" }, "Outpost:Hubs:hub1:Password" },
        { "hub1", new HubOptions { PasswordHash = "md5$abc" }, "Outpost:Hubs:hub1:PasswordHash" },
        { "hub1", new HubOptions { Password = "long-enough", AllowedEnv = ["LD_PRELOAD"] }, "Outpost:Hubs:hub1:AllowedEnv" },
        { "hub1", new HubOptions { Password = "long-enough", AllowedEnv = ["PATH"] }, "'PATH'" },
    };

    [Theory]
    [MemberData(nameof(BadHubs))]
    public void Validate_BadHub_FailsNamingTheKey(string hub, HubOptions options, string expectedInMessage)
    {
        var result = Validate(new() { [hub] = options });

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(expectedInMessage, failure);
    }

    [Fact]
    public void Validate_SeveralBadHubs_ReportsEveryError()
    {
        var result = Validate(new()
        {
            ["hub1"] = new HubOptions { Password = "short" },
            ["hub2"] = new HubOptions { PasswordHash = "bad", AllowedEnv = ["PYTHONPATH"] },
        });

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Outpost:Hubs:hub1:Password", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Outpost:Hubs:hub2:PasswordHash", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Outpost:Hubs:hub2:AllowedEnv", StringComparison.Ordinal));
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(Dictionary<string, HubOptions> hubs) =>
        new HubsOptionsValidator().Validate(null, new HubsOptions { Hubs = hubs });
}
