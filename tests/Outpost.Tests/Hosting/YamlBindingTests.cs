using Microsoft.Extensions.Configuration;
using Outpost.Hosting;
using Outpost.Hubs;

namespace Outpost.Tests.Hosting;

public sealed class YamlBindingTests
{
    [Fact]
    public void Bind_EmptyYamlList_GivesAnEmptyArray_NotTheDefault()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("yaml-").FullName, "c.yaml");
        File.WriteAllText(file, "Hub:\n  AllowedMisc: []\n  AllowedEnv: [A, B]\nOther:\n  AllowedEnv: [C]\n");
        var configuration = new ConfigurationBuilder().Add(new YamlConfigurationSource(file)).Build();

        var hub = configuration.GetSection("Hub").Get<HubOptions>()!;
        var other = configuration.GetSection("Other").Get<HubOptions>()!;

        Assert.NotNull(hub.AllowedMisc);
        Assert.Empty(hub.AllowedMisc);
        Assert.Equal(["A", "B"], hub.AllowedEnv);
        Assert.Null(other.AllowedMisc);
    }
}
