using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Outpost.Hubs;
using Outpost.Servers;

namespace Outpost.Tests.Hubs;

public sealed class ValueRuleTests
{
    [Fact]
    public void Check_NoConditions_AcceptsAnyScalar()
    {
        var rule = new ValueRule();

        Assert.Null(rule.Check(Json("\"x\"")));
        Assert.Null(rule.Check(Json("1")));
        Assert.Null(rule.Check(Json("true")));
    }

    [Theory]
    [InlineData("\"small\"", true)]
    [InlineData("\"large\"", true)]
    [InlineData("\"huge\"", false)]
    [InlineData("\"Small\"", false)]
    [InlineData("8", true)]
    [InlineData("8.0", false)]
    [InlineData("true", true)]
    public void Check_Allowed_AcceptsOnlyListedValues(string value, bool accepted)
    {
        var rule = new ValueRule { Allowed = ["small", "large", "8", "true"] };

        Assert.Equal(accepted, rule.Check(Json(value)) is null);
    }

    [Fact]
    public void Check_ValueNotAllowed_SaysWhichAre()
    {
        var rule = new ValueRule { Allowed = ["small", "large"] };

        Assert.Equal("must be one of small, large", rule.Check(Json("\"huge\"")));
    }

    [Theory]
    [InlineData("\"jupyter/base:1.2\"", true)]
    [InlineData("\"jupyter/base\"", true)]
    [InlineData("\"evil/jupyter/base:1.2\"", false)]
    [InlineData("\"jupyter/base:1.2; rm -rf /\"", false)]
    [InlineData("\"jupyter/base:1.2\\n\"", false)]
    [InlineData("12", false)]
    [InlineData("true", false)]
    public void Check_Pattern_NeedsAFullMatchOfAString(string value, bool accepted)
    {
        var rule = new ValueRule { Pattern = @"jupyter/[a-z]+(:[0-9.]+)?" };

        Assert.Equal(accepted, rule.Check(Json(value)) is null);
    }

    [Fact]
    public void Check_PatternNotMatched_SaysWhichPattern()
    {
        var rule = new ValueRule { Pattern = "[a-z]+" };

        Assert.Equal("must match [a-z]+", rule.Check(Json("\"A\"")));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("4", true)]
    [InlineData("2.5", true)]
    [InlineData("\"3\"", true)]
    [InlineData("0", false)]
    [InlineData("4.01", false)]
    [InlineData("-1", false)]
    [InlineData("1e400", false)]
    [InlineData("\"many\"", false)]
    [InlineData("\"NaN\"", false)]
    [InlineData("\"Infinity\"", false)]
    [InlineData("true", false)]
    public void Check_MinAndMax_AcceptOnlyNumbersInTheRange(string value, bool accepted)
    {
        var rule = new ValueRule { Min = 1, Max = 4 };

        Assert.Equal(accepted, rule.Check(Json(value)) is null);
    }

    [Theory]
    [InlineData("-1000000", true)]
    [InlineData("10", true)]
    [InlineData("11", false)]
    [InlineData("\"NaN\"", false)]
    public void Check_OnlyMax_HasNoLowerBound(string value, bool accepted)
    {
        var rule = new ValueRule { Max = 10 };

        Assert.Equal(accepted, rule.Check(Json(value)) is null);
    }

    [Fact]
    public void Check_OutOfRange_SaysTheRange()
    {
        Assert.Equal("must be between 1 and 4", new ValueRule { Min = 1, Max = 4 }.Check(Json("5")));
        Assert.Equal("must be between 1 and ∞", new ValueRule { Min = 1 }.Check(Json("0")));
        Assert.Equal("must be a number", new ValueRule { Min = 1 }.Check(Json("\"x\"")));
    }

    [Theory]
    [InlineData("\"8\"", true)]
    [InlineData("\"16\"", true)]
    [InlineData("\"32\"", false)]
    [InlineData("\"4\"", false)]
    [InlineData("16", false)]
    public void Check_Combined_EveryConditionMustHold(string value, bool accepted)
    {
        var rule = new ValueRule { Allowed = ["4", "8", "16", "32"], Pattern = "[0-9]+", Min = 8, Max = 16 };

        Assert.Equal(accepted, rule.Check(Json(value)) is null);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[1]")]
    [InlineData("{\"a\": 1}")]
    public void Check_NonScalar_IsRefused(string value)
    {
        Assert.Equal("must be a string, number or boolean", new ValueRule().Check(Json(value)));
        Assert.Equal("must be a string, number or boolean", new ValueRule { Allowed = ["null", "[1]"] }.Check(Json(value)));
    }

    [Fact]
    public void Bind_FromConfiguration_ReadsEveryField()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outpost:Hubs:hub1:Misc:mem:Min"] = "1",
            ["Outpost:Hubs:hub1:Misc:mem:Max"] = "4.5",
            ["Outpost:Hubs:hub1:Misc:image:Pattern"] = "jupyter/.*",
            ["Outpost:Hubs:hub1:Misc:image:Allowed:0"] = "jupyter/base",
        }).Build();

        var hub = configuration.GetSection("Outpost:Hubs:hub1").Get<HubOptions>()!;

        Assert.Equal(1, hub.Misc["mem"].Min);
        Assert.Equal(4.5, hub.Misc["mem"].Max);
        Assert.Equal("jupyter/.*", hub.Misc["image"].Pattern);
        Assert.Equal(["jupyter/base"], hub.Misc["image"].Allowed!);
    }

    [Fact]
    public void Check_PatternTooSlowToMatch_IsRefusedNotThrown()
    {
        var rule = new ValueRule { Pattern = "(a+)+b" };

        Assert.Equal("must match (a+)+b", rule.Check(Json($"\"{new string('a', 40)}c\"")));
    }

    [Theory]
    [InlineData("Misc")]
    [InlineData("UserOptions")]
    public void Validate_InvalidPattern_IsAnErrorNamingItsKey(string section)
    {
        var hub = new HubOptions { Password = "long enough password" };
        (section == "Misc" ? hub.Misc : hub.UserOptions)["image"] = new ValueRule { Pattern = "jupyter/(" };
        var options = new HubsOptions { Hubs = { ["hub1"] = hub } };

        var result = new HubsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.StartsWith($"Outpost:Hubs:hub1:{section}:image:Pattern", Assert.Single(result.Failures!));
    }

    internal static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary><see cref="StartPolicy.Check"/> with value rules for <c>misc</c> and <c>user_options</c>.</summary>
public sealed class StartRequestReaderValueRuleTests
{
    [Fact]
    public void StartPolicyCheck_MiscKeyWithRule_IsAllowedWhenTheValueFits()
    {
        var hub = new HubOptions { Misc = { ["image"] = new ValueRule { Pattern = "jupyter/.*" } } };

        Assert.Empty(StartPolicy.Check(Spec(misc: new() { ["image"] = "\"jupyter/base\"" }), "hub1", hub));
    }

    [Fact]
    public void StartPolicyCheck_MiscKeyWithRule_IsRefusedWhenTheValueBreaksIt()
    {
        var hub = new HubOptions { Misc = { ["image"] = new ValueRule { Pattern = "jupyter/.*" } } };

        var problem = Assert.Single(StartPolicy.Check(Spec(misc: new() { ["image"] = "\"evil/x\"" }), "hub1", hub));

        Assert.Equal("misc 'image' must match jupyter/.* (rule Outpost:Hubs:hub1:Misc:image).", problem);
    }

    [Fact]
    public void StartPolicyCheck_MiscKeyWithRule_IsAllowedEvenWithAnExplicitAllowList()
    {
        var hub = new HubOptions { AllowedMisc = ["port"], Misc = { ["image"] = new ValueRule() } };

        Assert.Empty(StartPolicy.Check(Spec(misc: new() { ["image"] = "\"x\"", ["port"] = "8888" }), "hub1", hub));
    }

    [Fact]
    public void StartPolicyCheck_MiscKeyWithoutRuleOrAllowListEntry_IsRefused()
    {
        var hub = new HubOptions { Misc = { ["image"] = new ValueRule() } };

        var problem = Assert.Single(StartPolicy.Check(Spec(misc: new() { ["cmd"] = "\"/bin/sh\"" }), "hub1", hub));

        Assert.StartsWith("misc 'cmd' is not allowed for hub 'hub1'", problem);
        Assert.Contains("image", problem);
    }

    [Fact]
    public void StartPolicyCheck_NoAllowedUserOptions_AllowsAnyUserOptionsKey()
    {
        var problems = StartPolicy.Check(Spec(userOptions: new() { ["anything"] = "[1, 2]", ["other"] = "\"x\"" }), "hub1", new HubOptions());

        Assert.Empty(problems);
        Assert.Empty(StartPolicy.Check(Spec(userOptions: new() { ["anything"] = "1" }), "hub1", null));
    }

    [Fact]
    public void StartPolicyCheck_AllowedUserOptions_RestrictsTheKeys()
    {
        var hub = new HubOptions { AllowedUserOptions = ["partition"] };

        var problem = Assert.Single(StartPolicy.Check(
            Spec(userOptions: new() { ["partition"] = "\"batch\"", ["nodes"] = "2" }), "hub1", hub));

        Assert.StartsWith("user_options 'nodes' is not allowed for hub 'hub1'", problem);
    }

    [Theory]
    [InlineData("flavor")]
    [InlineData("profile")]
    [InlineData("start_id")]
    public void StartPolicyCheck_KeysTheOutpostReads_AreAlwaysAllowed(string key)
    {
        var hub = new HubOptions { AllowedUserOptions = [] };

        Assert.Empty(StartPolicy.Check(Spec(userOptions: new() { [key] = "\"x\"" }), "hub1", hub));
    }

    [Fact]
    public void StartPolicyCheck_UserOptionsKeyWithRule_IsAllowedAndChecked()
    {
        var hub = new HubOptions { AllowedUserOptions = [], UserOptions = { ["nodes"] = new ValueRule { Min = 1, Max = 4 } } };

        Assert.Empty(StartPolicy.Check(Spec(userOptions: new() { ["nodes"] = "2" }), "hub1", hub));
        var problem = Assert.Single(StartPolicy.Check(Spec(userOptions: new() { ["nodes"] = "8" }), "hub1", hub));
        Assert.Equal("user_options 'nodes' must be between 1 and 4 (rule Outpost:Hubs:hub1:UserOptions:nodes).", problem);
    }

    [Fact]
    public void StartPolicyCheck_TwoHubsWithDifferentRules_AnswerDifferently()
    {
        var small = new HubOptions { UserOptions = { ["nodes"] = new ValueRule { Max = 2 } }, Misc = { ["image"] = new ValueRule { Allowed = ["a"] } } };
        var large = new HubOptions { UserOptions = { ["nodes"] = new ValueRule { Max = 16 } }, Misc = { ["image"] = new ValueRule { Allowed = ["a", "b"] } } };
        var spec = Spec(misc: new() { ["image"] = "\"b\"" }, userOptions: new() { ["nodes"] = "8" });

        var problems = StartPolicy.Check(spec, "small", small);

        Assert.Equal(2, problems.Count);
        Assert.Contains("Outpost:Hubs:small:Misc:image", problems[0]);
        Assert.Contains("Outpost:Hubs:small:UserOptions:nodes", problems[1]);
        Assert.Empty(StartPolicy.Check(spec, "large", large));
    }

    private static ServerSpec Spec(Dictionary<string, string>? misc = null, Dictionary<string, string>? userOptions = null) => new()
    {
        Name = "x",
        StartId = "0",
        Env = new Dictionary<string, string>(),
        Misc = (misc ?? []).ToDictionary(p => p.Key, p => ValueRuleTests.Json(p.Value)),
        UserOptions = (userOptions ?? []).ToDictionary(p => p.Key, p => ValueRuleTests.Json(p.Value)),
    };
}
