using Outpost.Tests.Fakes;
using Outpost.Backends.SshHosts;

namespace Outpost.Tests.Backends.SshHosts;

public sealed class SshHostPickerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void RoundRobin_StartsEachChoiceAtTheNextHost()
    {
        var picker = new SshHostPicker(Options(SshHostsBackendOptions.RoundRobin), _time);

        var firsts = Enumerable.Range(0, 4).Select(_ => picker.Candidates()[0].Name).ToList();

        Assert.Equal(["a", "b", "c", "a"], firsts);
        Assert.Equal(["b", "c", "a"], picker.Candidates().Select(h => h.Name));
    }

    [Fact]
    public void LeastLoaded_PrefersTheHostWithFewestServers()
    {
        var picker = new SshHostPicker(Options(SshHostsBackendOptions.LeastLoaded), _time);
        picker.Track("s1", "a");
        picker.Track("s2", "a");
        picker.Track("s3", "b");

        Assert.Equal(["c", "b", "a"], picker.Candidates().Select(h => h.Name));

        picker.Forget("s1");
        picker.Forget("s2");
        Assert.Equal(["a", "c", "b"], picker.Candidates().Select(h => h.Name));
    }

    [Fact]
    public void DownHost_IsLeftOutUntilItsRetryTime()
    {
        var picker = new SshHostPicker(Options(SshHostsBackendOptions.LeastLoaded), _time);
        picker.MarkDown("a");
        picker.MarkDown("b");

        Assert.Equal(["c"], picker.Candidates().Select(h => h.Name));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(["c"], picker.Candidates().Select(h => h.Name));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["a", "b", "c"], picker.Candidates().Select(h => h.Name));

        picker.MarkDown("a");
        picker.MarkDown("b");
        picker.MarkDown("c");
        Assert.Empty(picker.Candidates());
        picker.MarkUp("b");
        Assert.Equal(["b"], picker.Candidates().Select(h => h.Name));
    }

    private static SshHostsBackendOptions Options(string choice) => new()
    {
        HostChoice = choice,
        HostRetrySeconds = 60,
        Hosts = [.. new[] { "a", "b", "c" }.Select(n => new SshHostOptions { Name = n, Address = $"{n}.example.org", KnownHostsFile = "/k" })],
    };
}
