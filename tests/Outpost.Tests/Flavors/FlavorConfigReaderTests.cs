using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Flavors;
using Outpost.Tests.Fakes;
using static Outpost.Tests.Flavors.FlavorTestConfig;

namespace Outpost.Tests.Flavors;

public sealed class FlavorConfigReaderTests
{
    [Fact]
    public void Read_NoSection_IsNotConfigured()
    {
        var (config, errors) = FlavorConfigReader.Read(Section(new Dictionary<string, string?>()));

        Assert.Empty(errors);
        Assert.False(config.IsConfigured);
        Assert.Equal(-1, config.GlobalMaxPerUser);
    }

    [Fact]
    public void Read_UserFlavorsFixture_ReadsFlavorsAndHubSets()
    {
        var config = Read(UserFlavorsFixture());

        Assert.True(config.IsConfigured);
        Assert.Equal(["typea", "typeb"], config.Flavors.Select(f => f.Key));
        var byName = config.HubSets.ToDictionary(s => s.Name);
        Assert.Equal(["typea", "typeb"], byName["default"].Flavors);
        Assert.True(byName["default"].Hubs.Matches("authenticated"));
        Assert.NotNull(byName["restrictedGroup"].Flavors);
        Assert.Empty(byName["restrictedGroup"].Flavors!);
        Assert.True(byName["restrictedGroup"].Hubs.Matches("authenticated2"));
        Assert.False(byName["restrictedGroup"].Hubs.Matches("authenticated"));
    }

    [Fact]
    public void Read_HubSetWithoutFlavorsKey_AllowsAllFlavors()
    {
        var keys = StandardFlavors();
        keys["Hubs:all:jupyterhub_name"] = "authenticated";
        var config = Read(keys);

        Assert.Null(Assert.Single(config.HubSets).Flavors);
    }

    [Fact]
    public void Read_ValuesOfDefinitions_AreTypedBackFromText()
    {
        var keys = StandardFlavors();
        keys["Flavors:typea:resources:cpu"] = "1.5";
        keys["Flavors:typea:resources:gpu"] = "false";
        keys["Flavors:typea:resources:partitions:0"] = "batch";
        keys["Flavors:typea:resources:partitions:1"] = "gpu";
        var config = Read(keys);

        var typea = config.Flavors.Single(f => f.Key == "typea").Value;

        Assert.Equal(JsonValueKind.Number, typea["max"]!.GetValueKind());
        Assert.Equal(JsonValueKind.String, typea["display_name"]!.GetValueKind());
        Assert.Equal("""{"cpu":1.5,"gpu":false,"partitions":["batch","gpu"]}""", typea["resources"]!.ToJsonString());
    }

    [Fact]
    public void Read_YamlFile_GivesTheSameConfigurationAsKeys()
    {
        using var temp = new TempDirectory();
        var section = YamlSection(temp, """
            Outpost:
              Flavors:
                Flavors:
                  typea:
                    max: 5
                    weight: 10
                    display_name: "2GB RAM, 1VCPU, 2 hours"
                    description: "JupyterLab will run for max 2 hours with 2GB RAM and 1VCPU."
                    runtime:
                      hours: 2
                  typeb:
                    max: 5
                    weight: 9
                    display_name: "4GB RAM, 1VCPU, 2 hours"
                    description: "JupyterLab will run for max 2 hours with 4GB RAM and 1VCPU."
                    runtime: {hours: 2}
                Hubs:
                  default:
                    jupyterhub_name: "authentica.*d"
                    flavors: [typea, typeb]
                  restrictedGroup:
                    jupyterhub_name: [authenticated2]
                    flavors: []
                Users:
                  negate:
                    authentication:
                      username: "*mycomp.org"
                    negate_authentication: true
                    forbidden: true
                GlobalMaxPerUser: 3
            """);

        var (config, errors) = FlavorConfigReader.Read(section);

        Assert.Empty(errors);
        var fromKeys = Read(UserFlavorsFixture());
        Assert.Equal(Json(fromKeys.Flavors), Json(config.Flavors));
        Assert.Equal(3, config.GlobalMaxPerUser);
        var restricted = config.HubSets.Single(s => s.Name == "restrictedGroup");
        Assert.NotNull(restricted.Flavors);
        Assert.Empty(restricted.Flavors);
        Assert.Empty(FlavorSelector.ForHub(config, "authenticated2"));
        Assert.Equal(["typea", "typeb"], Names(FlavorSelector.ForUser(config, "authenticated", Auth("""{"username": "user1@mycomp.org"}"""))));
        Assert.Null(FlavorSelector.ForUser(config, "authenticated", Auth("""{"username": "user1@other.org"}""")));
    }

    [Fact]
    public void Read_YamlEmptyFlavorsWithoutValue_MeansNoFlavors()
    {
        using var temp = new TempDirectory();
        var section = YamlSection(temp, """
            Outpost:
              Flavors:
                Flavors:
                  typea: {max: 5}
                Hubs:
                  none:
                    jupyterhub_name: [hub1]
                    flavors:
            """);

        var (config, errors) = FlavorConfigReader.Read(section);

        Assert.Empty(errors);
        Assert.Empty(FlavorSelector.ForHub(config, "hub1"));
    }

    [Theory]
    [InlineData("hours", "2", 2 * 60 * 60)]
    [InlineData("minutes", "30", 30 * 60)]
    [InlineData("seconds", "5", 5)]
    [InlineData("days", "1", 24 * 60 * 60)]
    [InlineData("weeks", "1", 7 * 24 * 60 * 60)]
    public void Runtime_OneUnit_GivesThatDuration(string unit, string amount, int seconds)
    {
        var keys = StandardFlavors();
        keys.Remove("Flavors:typea:runtime:hours");
        keys[$"Flavors:typea:runtime:{unit}"] = amount;
        var config = Read(keys);

        Assert.Equal(TimeSpan.FromSeconds(seconds), FlavorConfigReader.Runtime(config.Flavors.Single(f => f.Key == "typea").Value));
    }

    [Fact]
    public void Runtime_SeveralUnits_AreAdded()
    {
        var keys = StandardFlavors();
        keys.Remove("Flavors:typea:runtime:hours");
        keys["Flavors:typea:runtime:days"] = "1";
        keys["Flavors:typea:runtime:minutes"] = "30";
        var config = Read(keys);

        Assert.Equal(new TimeSpan(1, 0, 30, 0), FlavorConfigReader.Runtime(config.Flavors.Single(f => f.Key == "typea").Value));
    }

    [Fact]
    public void Runtime_None_IsNull()
    {
        Assert.Null(FlavorConfigReader.Runtime(new JsonObject { ["max"] = 5 }));
    }

    [Fact]
    public void Runtime_UserOverride_ReplacesTheHubsRuntime()
    {
        var keys = UserFlavorsFixture();
        keys["Hubs:default:flavorsOverride:typea:runtime:days"] = "1";
        keys["Users:user:authentication:username"] = "user.*";
        keys["Users:user:flavorsOverride:typea:runtime:hours"] = "4";
        var config = Read(keys);

        var hub = FlavorSelector.ForHub(config, "authenticated").Single(f => f.Key == "typea").Value;
        var user = FlavorSelector.ForUser(config, "authenticated", Auth("""{"username": "user1"}"""))!.Single(f => f.Key == "typea").Value;

        Assert.Equal(TimeSpan.FromDays(1), FlavorConfigReader.Runtime(hub));
        Assert.Equal(TimeSpan.FromHours(4), FlavorConfigReader.Runtime(user));
    }

    [Theory]
    [InlineData("Hubs:h:flavors:0", "typec", "Outpost:Flavors:Hubs:h:flavors", "typec")]
    [InlineData("Users:u:flavors:0", "typec", "Outpost:Flavors:Users:u:flavors", "typec")]
    [InlineData("Hubs:h:flavorsOverride:typec:max", "1", "Outpost:Flavors:Hubs:h:flavorsOverride:typec", "typec")]
    [InlineData("Users:u:flavorsOverride:typec:max", "1", "Outpost:Flavors:Users:u:flavorsOverride:typec", "typec")]
    [InlineData("Flavors:typea:max", "five", "Outpost:Flavors:Flavors:typea:max", "whole number")]
    [InlineData("Flavors:typea:max", "2.5", "Outpost:Flavors:Flavors:typea:max", "whole number")]
    [InlineData("Flavors:typea:max", "-2", "Outpost:Flavors:Flavors:typea:max", "-1")]
    [InlineData("Flavors:typea:max", "4294967296", "Outpost:Flavors:Flavors:typea:max", "whole number")]
    [InlineData("Flavors:typea:maxPerUser", "-1", "Outpost:Flavors:Flavors:typea:maxPerUser", "count")]
    [InlineData("Hubs:h:flavorsOverride:typea:max", "-2", "Outpost:Flavors:Hubs:h:flavorsOverride:typea:max", "-1")]
    [InlineData("Flavors:typea:runtime:fortnights", "1", "Outpost:Flavors:Flavors:typea:runtime:fortnights", "weeks")]
    [InlineData("Flavors:typea:runtime:hours", "two", "Outpost:Flavors:Flavors:typea:runtime:hours", "whole number")]
    [InlineData("Flavors:typea:runtime", "2h", "Outpost:Flavors:Flavors:typea:runtime", "map")]
    [InlineData("Flavors:typea:runtime:weeks", "100000000000000", "Outpost:Flavors:Flavors:typea:runtime", "")]
    [InlineData("Users:u:forbidden", "yes", "Outpost:Flavors:Users:u:forbidden", "true or false")]
    [InlineData("Users:u:negate_authentication", "1", "Outpost:Flavors:Users:u:negate_authentication", "true or false")]
    [InlineData("Users:u:weight", "heavy", "Outpost:Flavors:Users:u:weight", "whole number")]
    [InlineData("GlobalMaxPerUser", "many", "Outpost:Flavors:GlobalMaxPerUser", "whole number")]
    [InlineData("GlobalMaxPerUser", "-5", "Outpost:Flavors:GlobalMaxPerUser", "-1")]
    public void Read_InvalidValue_IsAnErrorNamingItsKey(string key, string value, string path, string detail)
    {
        var keys = StandardFlavors();
        keys["Hubs:h:jupyterhub_name"] = "authenticated";
        if (key == "Flavors:typea:runtime")
        {
            keys.Remove("Flavors:typea:runtime:hours");
        }
        keys[key] = value;

        var error = Assert.Single(Errors(keys));

        Assert.StartsWith(path, error);
        Assert.Contains(detail, error);
    }

    [Fact]
    public void Read_HubSetWithoutJupyterhubName_IsAnErrorNamingTheKey()
    {
        var keys = StandardFlavors();
        keys["Hubs:h:flavors:0"] = "typea";

        var error = Assert.Single(Errors(keys));

        Assert.StartsWith("Outpost:Flavors:Hubs:h:jupyterhub_name", error);
    }

    [Fact]
    public void Read_SeveralErrors_AreAllReported()
    {
        var keys = StandardFlavors();
        keys["Flavors:typea:max"] = "-2";
        keys["Hubs:h:flavors:0"] = "typec";
        keys["GlobalMaxPerUser"] = "x";

        Assert.Equal(3, Errors(keys).Count);
    }

    private static string Json(IReadOnlyList<KeyValuePair<string, JsonObject>> flavors)
    {
        var result = new JsonObject();
        foreach (var (name, definition) in flavors)
        {
            result[name] = definition.DeepClone();
        }
        return result.ToJsonString();
    }
}
