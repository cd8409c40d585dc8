using Outpost.Flavors;
using static Outpost.Tests.Flavors.FlavorTestConfig;

namespace Outpost.Tests.Flavors;

public sealed class FlavorConfigTests
{
    [Fact]
    public void Definitions_ChangedByAReader_LeaveTheConfigurationAsItWas()
    {
        var keys = UserFlavorsFixture();
        keys["Hubs:restrictedGroup:flavorsOverride:typea:max"] = "1";
        var config = Read(keys);
        var before = config.Flavors.Single(f => f.Key == "typea").Value.ToJsonString();

        config.Flavors.Single(f => f.Key == "typea").Value["max"] = 999;
        foreach (var set in config.HubSets)
        {
            foreach (var overrides in set.Overrides.Values)
            {
                overrides["max"] = 999;
            }
        }

        Assert.Equal(before, config.Flavors.Single(f => f.Key == "typea").Value.ToJsonString());
        Assert.Equal("1", config.HubSets.Single(s => s.Name == "restrictedGroup").Overrides["typea"]["max"]!.ToJsonString());
    }
}
