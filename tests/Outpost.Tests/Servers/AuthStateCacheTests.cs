using Microsoft.AspNetCore.Http;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class AuthStateCacheTests
{
    [Fact]
    public void Read_TakesOnlyAuthStateHeaders_KeyedInLowerCase()
    {
        var headers = new HeaderDictionary { ["Auth-State-Access-Token"] = "t", ["auth-state-"] = "empty key", ["Authorization"] = "Basic x" };
        Assert.Equal(new Dictionary<string, string> { ["access-token"] = "t" }, AuthStateCache.Read(headers));
    }

    [Fact]
    public void Update_MergesLaterHeadersOverEarlierOnes()
    {
        var cache = new AuthStateCache();
        var key = new ServerKey("hub", "lab", "1");
        cache.Set(key, new Dictionary<string, string> { ["a"] = "1", ["b"] = "1" });
        cache.Update(key, new HeaderDictionary { ["auth-state-b"] = "2" });
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, cache.Get(key));
        cache.Remove(key);
        Assert.Empty(cache.Get(key));
    }

    [Fact]
    public void Set_IsBoundedInServers_AndInKeysPerServer()
    {
        var cache = new AuthStateCache();
        for (var i = 0; i < AuthStateCache.MaxServers + 100; i++)
        {
            cache.Set(new ServerKey("hub", $"s{i}", "0"), new Dictionary<string, string> { ["k"] = "v" });
        }
        Assert.Equal(AuthStateCache.MaxServers, cache.Count);

        var many = new HeaderDictionary();
        for (var i = 0; i < 500; i++)
        {
            many[$"auth-state-k{i}"] = "v";
        }
        Assert.Equal(64, AuthStateCache.Read(many).Count);
    }
}
