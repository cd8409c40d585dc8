using Microsoft.AspNetCore.Http;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class ServersApiTests
{
    [Theory]
    [InlineData("/services/x", "x", "0")]
    [InlineData("/services/x/", "x", "0")]
    [InlineData("/services/x/abc", "x", "abc")]
    [InlineData("/services/x/abc/", "x", "abc")]
    [InlineData("/services//abc", "", "abc")]
    [InlineData("/services//0", "", "0")]
    public void TryParseKey_ServerPath_GivesKeyOfTheHub(string path, string name, string startId)
    {
        Assert.True(ServersApi.TryParseKey("hub1", new PathString(path), out var key));
        Assert.Equal(new ServerKey("hub1", name, startId), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/services")]
    [InlineData("/services/")]
    [InlineData("/services//")]
    [InlineData("/services/x//")]
    [InlineData("/services/x/abc/def")]
    [InlineData("/services/x/abc/def/")]
    [InlineData("/flavors/x")]
    [InlineData("/other/services/x")]
    public void TryParseKey_NotAServerPath_IsFalse(string path) =>
        Assert.False(ServersApi.TryParseKey("hub1", new PathString(path), out _));
}
