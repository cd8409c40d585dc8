using System.Text.Json.Nodes;
using Outpost.Flavors;
using static Outpost.Tests.Flavors.FlavorTestConfig;

namespace Outpost.Tests.Flavors;

/// <summary>
/// The original's <c>test_userflavors.py</c> cases (spec §7.2), plus the selection rules of §5.2/§5.3
/// they rely on. Hub 1 is <c>authenticated</c>, hub 2 <c>authenticated2</c>.
/// </summary>
public sealed class FlavorSelectorTests
{
    private const string Hub1 = "authenticated";
    private const string Hub2 = "authenticated2";
    private const string MyCompUser = """{"username": "user1@mycomp.org"}""";

    // test_authorization
    [Fact]
    public void ForUser_NoUserSets_GivesTheHubSetsFlavors()
    {
        var config = Read(UserFlavorsFixture());

        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForUser(config, Hub1, Auth(MyCompUser))));
        Assert.Empty(Names(FlavorSelector.ForUser(config, Hub2, Auth(MyCompUser))));
    }

    // test_authorization (the definitions go out as configured, with their types)
    [Fact]
    public void ForUser_NoUserSets_KeepsTheDefinitionsAndTheirTypes()
    {
        var config = Read(UserFlavorsFixture());

        var typea = Flavor(FlavorSelector.ForUser(config, Hub1, Auth(MyCompUser)), "typea");

        Assert.Equal(5, typea["max"]!.GetValue<long>());
        Assert.Equal(10, typea["weight"]!.GetValue<long>());
        Assert.Equal("2GB RAM, 1VCPU, 2 hours", typea["display_name"]!.GetValue<string>());
        Assert.Equal("""{"hours":2}""", typea["runtime"]!.ToJsonString());
    }

    // test_authorization_flavor_hub_flavors
    [Fact]
    public void ForUser_HubSetListsOneFlavor_GivesOnlyThatFlavor()
    {
        var keys = UserFlavorsFixture();
        keys.Remove("Hubs:default:flavors:1");
        var config = Read(keys);

        Assert.Equal(["typea"], Names(FlavorSelector.ForUser(config, Hub1, Auth(MyCompUser))));
    }

    // test_authorization_flavor_hub_flavorsoverride
    [Fact]
    public void ForUser_HubSetOverride_ReplacesTheOverriddenKeys()
    {
        var keys = UserFlavorsFixture();
        keys["Hubs:default:flavorsOverride:typea:runtime:hours"] = "1";
        keys["Hubs:default:flavorsOverride:typea:max"] = "18";
        var config = Read(keys);

        var flavors = FlavorSelector.ForUser(config, Hub1, Auth(MyCompUser));

        Assert.Equal(18, Flavor(flavors, "typea")["max"]!.GetValue<long>());
        Assert.Equal("""{"hours":1}""", Flavor(flavors, "typea")["runtime"]!.ToJsonString());
        Assert.Equal(10, Flavor(flavors, "typea")["weight"]!.GetValue<long>());
        Assert.Equal(5, Flavor(flavors, "typeb")["max"]!.GetValue<long>());
    }

    // test_authorization_flavor_user_flavorsoverride
    [Fact]
    public void ForUser_UserSetOverride_LayersOnTheHubOverrideAndMayAddFlavors()
    {
        var keys = UserFlavorsFixture();
        keys.Remove("Hubs:default:flavors:1");
        keys["Hubs:default:flavorsOverride:typea:runtime:hours"] = "1";
        keys["Hubs:default:flavorsOverride:typea:max"] = "18";
        keys["Users:user1:authentication:username"] = "user1";
        keys["Users:user1:flavors:0"] = "typea";
        keys["Users:user1:flavors:1"] = "typeb";
        keys["Users:user1:flavorsOverride:typea:runtime:hours"] = "2";
        var config = Read(keys);

        var flavors = FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1"}"""));

        Assert.Equal(["typea", "typeb"], Names(flavors));
        Assert.Equal(18, Flavor(flavors, "typea")["max"]!.GetValue<long>());
        Assert.Equal("""{"hours":2}""", Flavor(flavors, "typea")["runtime"]!.ToJsonString());
        Assert.Equal(5, Flavor(flavors, "typeb")["max"]!.GetValue<long>());
    }

    // test_authorization_flavor_user_flavorsoverride_manipulate_function: the Outpost has no
    // update_user_authentication hook; matching is case-sensitive, and a case-insensitive regex does the hook's job.
    [Theory]
    [InlineData("user1", "USER1", false)]
    [InlineData("(?i)user1", "USER1", true)]
    [InlineData("(?i)user1", "user1", true)]
    public void ForUser_UpperCaseUserName_MatchesOnlyACaseInsensitivePattern(string pattern, string username, bool matches)
    {
        var keys = UserFlavorsFixture();
        keys["Users:user1:authentication:username"] = pattern;
        keys["Users:user1:flavorsOverride:typea:runtime:hours"] = "3";
        var config = Read(keys);

        var flavors = FlavorSelector.ForUser(config, Hub1, Auth($$"""{"username": "{{username}}"}"""));

        Assert.Equal(matches ? 3 : 2, Flavor(flavors, "typea")["runtime"]!["hours"]!.GetValue<long>());
    }

    // test_authorization_flavor_user_flavorsoverride_weight
    [Fact]
    public void ForUser_TwoMatchingUserSets_TheHeavierWinsWhateverItsPosition()
    {
        var keys = UserFlavorsFixture();
        keys["Users:aHeavy:authentication:username"] = "user1";
        keys["Users:aHeavy:weight"] = "6";
        keys["Users:aHeavy:flavorsOverride:typea:runtime:hours"] = "4";
        keys["Users:bLight:authentication:username"] = "user1";
        keys["Users:bLight:flavorsOverride:typea:runtime:hours"] = "3";
        var config = Read(keys);

        var flavors = FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1"}"""));

        Assert.Equal("""{"hours":4}""", Flavor(flavors, "typea")["runtime"]!.ToJsonString());
    }

    [Fact]
    public void ForUser_TwoMatchingUserSetsOfEqualWeight_TheLaterWins()
    {
        var keys = UserFlavorsFixture();
        keys["Users:a:authentication:username"] = "user1";
        keys["Users:a:flavorsOverride:typea:runtime:hours"] = "3";
        keys["Users:b:authentication:username"] = "user1";
        keys["Users:b:flavorsOverride:typea:runtime:hours"] = "4";
        var config = Read(keys);

        var flavors = FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1"}"""));

        Assert.Equal("""{"hours":4}""", Flavor(flavors, "typea")["runtime"]!.ToJsonString());
    }

    // test_authorization_flavor_user_flavorsoverride_regex
    [Fact]
    public void ForUser_RegexPattern_MatchesTheWholeName()
    {
        var keys = UserFlavorsFixture();
        keys["Users:regex:authentication:username"] = "us..1";
        keys["Users:regex:flavorsOverride:typea:runtime:hours"] = "4";
        var config = Read(keys);

        Assert.Equal(4, Hours(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1"}"""))));
        Assert.Equal(2, Hours(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user12"}"""))));
        Assert.Equal(2, Hours(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "xuser1"}"""))));
        Assert.Equal(2, Hours(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1\n"}"""))));
    }

    // test_authorization_flavor_user_flavorsoverride_regex_nomatch
    [Fact]
    public void ForUser_RegexAndLiteralSetsBothMatch_TheHeavierWins()
    {
        var keys = UserFlavorsFixture();
        keys["Users:exact:authentication:username"] = "user1";
        keys["Users:exact:weight"] = "4";
        keys["Users:exact:flavorsOverride:typea:runtime:hours"] = "4";
        keys["Users:regex:authentication:username"] = "us..1";
        keys["Users:regex:flavorsOverride:typea:runtime:hours"] = "3";
        var config = Read(keys);

        Assert.Equal(4, Hours(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1"}"""))));
    }

    // test_authorization_users_negate_minimal
    [Fact]
    public void ForUser_NegatedSet_AppliesOnlyToOthersAndMayGrantWhatTheHubExcludes()
    {
        var config = Read(NegateFixture(".*mycomp.org", forbidden: false));

        var mycomp = FlavorSelector.ForUser(config, Hub1, Auth(MyCompUser));
        var other = FlavorSelector.ForUser(config, Hub2, Auth("""{"username": "user1@other.org"}"""));

        Assert.Equal(["typea", "typeb"], Names(mycomp));
        Assert.Equal(["minimal"], Names(other));
    }

    // test_authorization_users_negate_forbidden and …_fnmatch_translate (glob, an invalid regex)
    [Theory]
    [InlineData(".*mycomp.org")]
    [InlineData("*mycomp.org")]
    public void ForUser_NegatedForbiddenSet_GivesOthersNothing(string pattern)
    {
        var config = Read(NegateFixture(pattern, forbidden: true));

        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForUser(config, Hub1, Auth(MyCompUser))));
        Assert.Null(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1@other.org"}""")));
        Assert.Null(FlavorSelector.ForUser(config, Hub2, Auth("""{"username": "user1@other.org"}""")));
    }

    [Fact]
    public void ForUser_NoAuthentication_GivesTheHubsFlavors()
    {
        var config = Read(NegateFixture(".*mycomp.org", forbidden: true));

        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForUser(config, Hub1, null)));
        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForUser(config, Hub1, Auth("{}"))));
    }

    [Fact]
    public void ForUser_UserSetForOtherHubs_IsSkipped()
    {
        var keys = UserFlavorsFixture();
        keys["Users:hub2only:hubs:0"] = Hub2;
        keys["Users:hub2only:authentication:username"] = "user1";
        keys["Users:hub2only:forbidden"] = "true";
        var config = Read(keys);

        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForUser(config, Hub1, Auth("""{"username": "user1"}"""))));
        Assert.Null(FlavorSelector.ForUser(config, Hub2, Auth("""{"username": "user1"}""")));
    }

    [Theory]
    [InlineData("""{"username": "bob", "groups": ["x", "admins"]}""", true)]
    [InlineData("""{"username": "alice", "groups": "users"}""", true)]
    [InlineData("""{"username": "bob", "groups": ["users2"]}""", false)]
    [InlineData("""{"name": "alice"}""", false)]
    public void ForUser_SeveralAuthenticationKeys_AnyMatchingKeyIsEnough(string authentication, bool matches)
    {
        var keys = UserFlavorsFixture();
        keys["Users:team:authentication:username"] = "alice";
        keys["Users:team:authentication:groups:0"] = "admins";
        keys["Users:team:authentication:groups:1"] = "users";
        keys["Users:team:forbidden"] = "true";
        var config = Read(keys);

        Assert.Equal(matches, FlavorSelector.ForUser(config, Hub1, Auth(authentication)) is null);
    }

    [Fact]
    public void ForHub_NoMatchingHubSet_GivesAllFlavors()
    {
        var config = Read(UserFlavorsFixture());

        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForHub(config, "elsewhere")));
    }

    [Fact]
    public void ForHub_SeveralMatchingHubSets_TheFirstWinsNotTheHeaviest()
    {
        var keys = StandardFlavors();
        keys["Hubs:a:jupyterhub_name:0"] = Hub1;
        keys["Hubs:a:flavors:0"] = "typea";
        keys["Hubs:b:jupyterhub_name"] = "auth*";
        keys["Hubs:b:weight"] = "100";
        keys["Hubs:b:flavors:0"] = "typeb";
        var config = Read(keys);

        Assert.Equal(["typea"], Names(FlavorSelector.ForHub(config, Hub1)));
        Assert.Equal(["typeb"], Names(FlavorSelector.ForHub(config, Hub2)));
    }

    [Fact]
    public void ForHub_OverrideOfAFlavorTheSetExcludes_IsIgnored()
    {
        var keys = UserFlavorsFixture();
        keys.Remove("Hubs:default:flavors:1");
        keys["Hubs:default:flavorsOverride:typeb:max"] = "1";
        var config = Read(keys);

        Assert.Equal(["typea"], Names(FlavorSelector.ForHub(config, Hub1)));
    }

    [Fact]
    public void ForHub_Result_IsACopy()
    {
        var config = Read(UserFlavorsFixture());

        Flavor(FlavorSelector.ForHub(config, Hub1), "typea")["max"] = 99;

        Assert.Equal(5, Flavor(FlavorSelector.ForHub(config, Hub1), "typea")["max"]!.GetValue<long>());
    }

    private static Dictionary<string, string?> NegateFixture(string pattern, bool forbidden)
    {
        var keys = UserFlavorsFixture();
        keys["Flavors:minimal:max"] = "-1";
        keys["Flavors:minimal:display_name"] = "minimal";
        keys["Users:negate:authentication:username"] = pattern;
        keys["Users:negate:negate_authentication"] = "true";
        if (forbidden)
        {
            keys["Users:negate:forbidden"] = "true";
        }
        else
        {
            keys["Users:negate:flavors:0"] = "minimal";
        }
        return keys;
    }

    private static JsonObject Flavor(IReadOnlyList<KeyValuePair<string, JsonObject>>? flavors, string name)
    {
        Assert.NotNull(flavors);
        return Assert.Single(flavors, f => f.Key == name).Value;
    }

    private static long Hours(IReadOnlyList<KeyValuePair<string, JsonObject>>? flavors) =>
        Flavor(flavors, "typea")["runtime"]!["hours"]!.GetValue<long>();
}
