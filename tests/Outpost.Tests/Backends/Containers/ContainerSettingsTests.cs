using System.Text.Json;
using Outpost.Backends;
using Outpost.Backends.Containers;
using Outpost.Servers;

namespace Outpost.Tests.Backends.Containers;

public sealed class ContainerSettingsTests
{
    private static readonly ContainerBackendOptions Options = new()
    {
        Image = "site/base:1",
        MemoryLimit = "1G",
        CpuLimit = 1,
        AllowedImages = { "site/gpu:2" },
        Flavors = { ["small"] = new ContainerResources { MemoryLimit = "512M" } },
        Profiles = { ["r"] = new ContainerProfile { Image = "site/r:4", CpuLimit = 2, Environment = { ["R"] = "1" } } },
    };

    [Fact]
    public void Resolve_ProfileThenFlavorThenMisc()
    {
        var spec = Spec(("mem_limit", "256M"), ("cpu_limit", 1.5), ("dns_name_template", "ignored")) with { Profile = "r", Flavor = "small" };

        var settings = ContainerSettings.Resolve(Options, spec);

        Assert.Equal("site/r:4", settings.Image);
        Assert.Equal(256L * 1024 * 1024, settings.MemoryBytes);
        Assert.Equal(1.5, settings.CpuLimit);
        Assert.Equal("1", settings.Environment["R"]);
    }

    [Fact]
    public void Resolve_MiscImage_OnlyFromTheAllowList()
    {
        Assert.Equal("site/gpu:2", ContainerSettings.Resolve(Options, Spec(("image", "site/gpu:2"))).Image);

        var e = Assert.Throws<BackendException>(() => ContainerSettings.Resolve(Options, Spec(("image", "evil/miner"))));
        Assert.Equal("The hub's overrides for the container backend are not valid: misc.image 'evil/miner' is not one of the images this Outpost allows (site/gpu:2).", e.Message);
    }

    [Fact]
    public void Resolve_MiscLimitsAboveTheFlavor_OrNotSizes_AreRefusedByName()
    {
        var e = Assert.Throws<BackendException>(() => ContainerSettings.Resolve(Options, Spec(("mem_limit", "2G"), ("cpu_limit", "x")) with { Flavor = "small" }));

        Assert.Contains("misc.mem_limit 2G is more than the 512M this server may have.", e.Message, StringComparison.Ordinal);
        Assert.Contains("misc.cpu_limit must be a number of cores above 0, not \"x\".", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnknownProfile_NamesTheConfiguredOnes()
    {
        var e = Assert.Throws<BackendException>(() => ContainerSettings.Resolve(Options, Spec() with { Profile = "nope" }));

        Assert.Equal("The profile 'nope' is not configured for containers on this Outpost (configured: r).", e.Message);
    }

    private static ServerSpec Spec(params (string Key, object Value)[] misc) => new()
    {
        Name = "",
        StartId = "1",
        Env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "ada" },
        Misc = misc.ToDictionary(m => m.Key, m => JsonSerializer.SerializeToElement(m.Value)),
    };
}
