using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Tests.Storage;

public sealed class PollStateCacheTests
{
    private static readonly ServerKey Key = new("hub", "lab", "0");

    private static ServerPollState State(ServerPhase phase) => new(7, phase, "Local", null, null, null);

    [Fact]
    public void Offer_WithoutAWriteSinceTheRead_IsCached()
    {
        var cache = new PollStateCache();
        var generation = cache.Generation;
        cache.Offer(Key, State(ServerPhase.Running), generation);
        Assert.True(cache.TryGet(Key, out var state));
        Assert.Equal(ServerPhase.Running, state.Phase);
    }

    [Fact]
    public void Offer_AfterAWriteRacedTheRead_IsNotCached()
    {
        var cache = new PollStateCache();
        var generation = cache.Generation;
        cache.Invalidate(7); // a write committed while the read ran
        cache.Offer(Key, State(ServerPhase.Running), generation);
        Assert.False(cache.TryGet(Key, out _));
    }

    [Fact]
    public void Invalidate_ById_AndByKey_RemoveTheEntry()
    {
        var cache = new PollStateCache();
        cache.Offer(Key, State(ServerPhase.Running), cache.Generation);
        cache.Invalidate(7);
        Assert.False(cache.TryGet(Key, out _));

        cache.Offer(Key, State(ServerPhase.Running), cache.Generation);
        cache.Invalidate(Key);
        Assert.False(cache.TryGet(Key, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task ConcurrentReadsAndWrites_NeverLeaveAStaleEntry()
    {
        var cache = new PollStateCache();
        var committed = ServerPhase.Pending;
        var gate = new Lock();
        var writer = Task.Run(() =>
        {
            foreach (var phase in Enumerable.Repeat(new[] { ServerPhase.Starting, ServerPhase.Running, ServerPhase.Stopping }, 3000).SelectMany(p => p))
            {
                lock (gate)
                {
                    committed = phase;
                }
                cache.Invalidate(7);
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!writer.IsCompleted)
            {
                var generation = cache.Generation;
                ServerPhase read;
                lock (gate)
                {
                    read = committed;
                }
                cache.Offer(Key, State(read), generation);
            }
        })).ToList();
        await Task.WhenAll([writer, .. readers]);
        if (cache.TryGet(Key, out var last))
        {
            Assert.Equal(committed, last.Phase);
        }
    }
}
