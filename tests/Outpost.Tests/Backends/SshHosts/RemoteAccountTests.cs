using Outpost.Backends;
using Outpost.Backends.SshHosts;

namespace Outpost.Tests.Backends.SshHosts;

public sealed class RemoteAccountTests
{
    [Theory]
    [InlineData("jupyter", "anyone", "jupyter")]
    [InlineData("{username}", "alice", "alice")]
    [InlineData("jh-{username}", "bob_2", "jh-bob_2")]
    public void For_FillsTheRule(string rule, string hubUser, string expected)
    {
        Assert.Equal(expected, RemoteAccount.For(rule, hubUser));
    }

    [Theory]
    [InlineData("a;touch x")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("a b")]
    [InlineData("a'b")]
    [InlineData("a\nb")]
    [InlineData("-oProxyCommand=x")]
    [InlineData("Alice")]
    [InlineData("alice@example.org")]
    [InlineData("")]
    [InlineData("averyveryveryveryverylongusername")]
    public void For_RefusesNamesThatAreNoSafePosixUserName(string hubUser)
    {
        var refused = Assert.Throws<BackendException>(() => RemoteAccount.For("{username}", hubUser));
        Assert.Contains("not a safe POSIX user name", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Theory]
    [InlineData("jupyter", true)]
    [InlineData("{username}", true)]
    [InlineData("jh-{username}", true)]
    [InlineData("", false)]
    [InlineData("-{username}", false)]
    [InlineData("a b", false)]
    [InlineData("{user}", false)]
    public void IsValidRule(string rule, bool expected)
    {
        Assert.Equal(expected, RemoteAccount.IsValidRule(rule));
    }
}
