using System.Threading.Channels;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>One open watch stream: what it asked for, who asked (User-Agent), and the lines waiting to be written to it.</summary>
internal sealed class FakeWatcher(string plural, string? ns, FakeSelector selector, string client)
{
    public Channel<FakeWatchLine> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<FakeWatchLine>(
        new UnboundedChannelOptions { SingleReader = true });

    public string Plural => plural;

    public string Client => client;

    public bool Matches(FakeChange change) =>
        change.Plural == plural && (ns is null || change.Namespace == ns) && selector.Matches(change.Object);
}
