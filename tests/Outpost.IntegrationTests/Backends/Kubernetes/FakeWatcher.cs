using System.Threading.Channels;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>One open watch stream: what it asked for, who asked (User-Agent), and the lines waiting to be written to it.</summary>
internal sealed class FakeWatcher(string plural, string? ns, FakeSelector selector, string client)
{
    public Channel<FakeWatchLine> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<FakeWatchLine>(
        new UnboundedChannelOptions { SingleReader = true });

    public string Plural => plural;

    public string Client => client;

    private long _queued;
    private long _written;

    /// <summary>Queues a line for the stream (every line goes through here, so <see cref="AllWritten"/> can count).</summary>
    public void Enqueue(FakeWatchLine line)
    {
        Interlocked.Increment(ref _queued);
        Channel.Writer.TryWrite(line);
    }

    /// <summary>Called after <paramref name="count"/> lines were flushed to the client.</summary>
    public void MarkWritten(int count) => Interlocked.Add(ref _written, count);

    /// <summary>Every queued line has been flushed to the client.</summary>
    public bool AllWritten => Interlocked.Read(ref _written) >= Interlocked.Read(ref _queued);

    public bool Matches(FakeChange change) =>
        change.Plural == plural && (ns is null || change.Namespace == ns) && selector.Matches(change.Object);
}
