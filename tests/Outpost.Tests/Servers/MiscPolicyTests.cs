using Outpost.Hubs;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class MiscPolicyTests
{
    [Theory]
    [InlineData("port", true)]
    [InlineData("ip", true)]
    [InlineData("internal_ssl", true)]
    [InlineData("dns_name_template", true)]
    [InlineData("cmd", false)]
    [InlineData("Port", false)]
    [InlineData("", false)]
    public void IsAllowed_NoHubList_UsesDefaultKeys(string key, bool expected)
    {
        Assert.Equal(expected, MiscPolicy.IsAllowed(key, null));
        Assert.Equal(expected, MiscPolicy.IsAllowed(key, new HubOptions()));
    }

    [Theory]
    [InlineData("cmd", true)]
    [InlineData("port", false)]
    public void IsAllowed_HubList_ReplacesDefaults(string key, bool expected) =>
        Assert.Equal(expected, MiscPolicy.IsAllowed(key, new HubOptions { AllowedMisc = ["cmd"] }));

    [Fact]
    public void IsAllowed_EmptyHubList_AllowsNothing() =>
        Assert.False(MiscPolicy.IsAllowed("port", new HubOptions { AllowedMisc = [] }));

    [Fact]
    public void Allowed_NoHubList_IsDefaultKeys() => Assert.Equal(MiscPolicy.DefaultKeys, MiscPolicy.Allowed(null));
}
