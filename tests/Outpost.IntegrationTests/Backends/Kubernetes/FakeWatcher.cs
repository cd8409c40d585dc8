using System.Threading.Channels;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>One open watch stream: what it asked for and the lines waiting to be written to it.</summary>
internal sealed class FakeWatcher(string plural, string? ns, FakeSelector selector)
{
    public Channel<string> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>(
        new UnboundedChannelOptions { SingleReader = true });

    public bool Matches(FakeChange change) =>
        change.Plural == plural && (ns is null || change.Namespace == ns) && selector.Matches(change.Object);
}
