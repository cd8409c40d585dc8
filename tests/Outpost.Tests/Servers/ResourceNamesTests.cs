using System.Text.RegularExpressions;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed partial class ResourceNamesTests
{
    public static TheoryData<string, string, string, string> Keys() => new()
    {
        { "hub1", "alice", "lab", "0" },
        { "hub1", "alice", "", "0" },
        { "", "", "", "" },
        { "Hub.One", "Alice@Example.org", "My Server!", "17" },
        { "jüpyter", "ñandú", "サーバー", "0" },
        { "---", "___", "...", "0" },
        { new string('h', 200), new string('u', 200), new string('s', 200), new string('9', 64) },
        { "h1-" + new string('x', 60), "u-" + new string('9', 60), "s-" + new string('z', 60), "0" },
        { "a-b-c-d-e-f-g-h", "1-2-3-4-5-6-7-8-9-0-1", "x-y-z-x-y-z-x-y", "0" },
        { "🚀hub", "user🚀", "🚀", "0" },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void ForServer_AnyInput_IsDnsLabel(string hub, string user, string name, string startId)
    {
        var result = ResourceNames.ForServer(new ServerKey(hub, name, startId), user);

        Assert.True(result.Length <= 63, $"'{result}' has {result.Length} characters");
        Assert.Matches(DnsLabel(), result);
        Assert.StartsWith("jupyter-", result);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void ForUser_AnyInput_IsDnsLabel(string hub, string user, string name, string startId)
    {
        _ = (name, startId);
        var result = ResourceNames.ForUser(hub, user);

        Assert.True(result.Length <= 63, $"'{result}' has {result.Length} characters");
        Assert.Matches(DnsLabel(), result);
    }

    [Fact]
    public void ForServer_SameInput_IsStable()
    {
        var key = new ServerKey("hub1", "lab", "3");

        Assert.Equal(ResourceNames.ForServer(key, "alice"), ResourceNames.ForServer(key, "alice"));
    }

    [Fact]
    public void ForServer_ReadablePart_ShowsHubUserAndServer()
    {
        var result = ResourceNames.ForServer(new ServerKey("Hub1", "Lab", "0"), "Alice");

        Assert.Matches("^jupyter-hub1-alice-lab-[0-9a-f]{8}$", result);
    }

    [Theory]
    [InlineData("hub1", "alice", "lab", "0", "hub2", "alice", "lab", "0")]
    [InlineData("hub.1", "alice", "lab", "0", "hub-1", "alice", "lab", "0")]
    [InlineData("hub1", "alice.b", "lab", "0", "hub1", "alice-b", "lab", "0")]
    [InlineData("hub1", "alice", "lab!", "0", "hub1", "alice", "lab?", "0")]
    [InlineData("hub1", "alice", "lab", "0", "hub1", "alice", "lab", "1")]
    [InlineData("hub1", "jürgen", "", "0", "hub1", "jörgen", "", "0")]
    public void ForServer_DifferentKeysWithEqualSlugs_GiveDifferentNames(
        string hub1, string user1, string name1, string start1, string hub2, string user2, string name2, string start2)
    {
        var first = ResourceNames.ForServer(new ServerKey(hub1, name1, start1), user1);
        var second = ResourceNames.ForServer(new ServerKey(hub2, name2, start2), user2);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void ForServer_LongNamesSharingAPrefix_GiveDifferentNames()
    {
        var prefix = new string('a', 100);

        Assert.NotEqual(
            ResourceNames.ForServer(new ServerKey("hub", prefix + "1", "0"), prefix),
            ResourceNames.ForServer(new ServerKey("hub", prefix + "2", "0"), prefix));
    }

    [Theory]
    [InlineData("hub1", "alice", "hub2", "alice")]
    [InlineData("hub.1", "alice", "hub-1", "alice")]
    [InlineData("hub1", "a.b", "hub1", "a_b")]
    public void ForUser_DifferentInputsWithEqualSlugs_GiveDifferentNames(string hub1, string user1, string hub2, string user2) =>
        Assert.NotEqual(ResourceNames.ForUser(hub1, user1), ResourceNames.ForUser(hub2, user2));

    [Fact]
    public void ForUser_SameInput_IsStable() => Assert.Equal(ResourceNames.ForUser("hub1", "alice"), ResourceNames.ForUser("hub1", "alice"));

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
