using System.Collections;
using System.Reflection;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class ServerLocksTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly ServerKey KeyA = new("hub1", "a", "0");
    private static readonly ServerKey KeyB = new("hub1", "b", "0");

    [Fact]
    public async Task AcquireAsync_SameKey_WaitsForTheHolder()
    {
        var locks = new ServerLocks();
        var first = await locks.AcquireAsync(KeyA, CancellationToken.None);

        var second = locks.AcquireAsync(KeyA, CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second.WaitAsync(Timeout)).Dispose();
    }

    [Fact]
    public async Task AcquireAsync_DifferentKeys_DoNotBlock()
    {
        var locks = new ServerLocks();
        using var first = await locks.AcquireAsync(KeyA, CancellationToken.None);

        var second = locks.AcquireAsync(KeyB, CancellationToken.None);
        var otherHub = locks.AcquireAsync(KeyA with { Hub = "hub2" }, CancellationToken.None);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.True(otherHub.IsCompletedSuccessfully);
        (await second).Dispose();
        (await otherHub).Dispose();
    }

    [Fact]
    public async Task AcquireAsync_AllReleased_RemovesEntries()
    {
        var locks = new ServerLocks();
        var a = await locks.AcquireAsync(KeyA, CancellationToken.None);
        var b = await locks.AcquireAsync(KeyB, CancellationToken.None);
        var waiting = locks.AcquireAsync(KeyA, CancellationToken.None);
        Assert.Equal(2, EntryCount(locks));

        a.Dispose();
        (await waiting.WaitAsync(Timeout)).Dispose();
        b.Dispose();

        Assert.Equal(0, EntryCount(locks));
    }

    [Fact]
    public async Task Dispose_Twice_ReleasesOnce()
    {
        var locks = new ServerLocks();
        var first = await locks.AcquireAsync(KeyA, CancellationToken.None);
        var second = locks.AcquireAsync(KeyA, CancellationToken.None);
        first.Dispose();
        var held = await second.WaitAsync(Timeout);

        first.Dispose();

        var third = locks.AcquireAsync(KeyA, CancellationToken.None);
        Assert.False(third.IsCompleted);
        held.Dispose();
        (await third.WaitAsync(Timeout)).Dispose();
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_ThrowsAndLeavesLockUsable()
    {
        var locks = new ServerLocks();
        var holder = await locks.AcquireAsync(KeyA, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = locks.AcquireAsync(KeyA, cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        Assert.Equal(1, EntryCount(locks));
        var next = locks.AcquireAsync(KeyA, CancellationToken.None);
        Assert.False(next.IsCompleted);
        holder.Dispose();
        (await next.WaitAsync(Timeout)).Dispose();
        Assert.Equal(0, EntryCount(locks));
    }

    [Fact]
    public async Task AcquireAsync_CancelledBeforeWaiting_ThrowsAndRemovesEntry()
    {
        var locks = new ServerLocks();
        using var holder = await locks.AcquireAsync(KeyA, CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => locks.AcquireAsync(KeyB, new CancellationToken(canceled: true)));

        Assert.Equal(1, EntryCount(locks));
    }

    [Fact]
    public async Task AcquireAsync_ManyConcurrentUsers_NeverOverlap()
    {
        var locks = new ServerLocks();
        var inside = 0;
        var maxInside = 0;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            using var held = await locks.AcquireAsync(KeyA, CancellationToken.None);
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref maxInside, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
        }))).WaitAsync(Timeout);

        Assert.Equal(1, maxInside);
        Assert.Equal(0, EntryCount(locks));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static int EntryCount(ServerLocks locks)
    {
        // The map is private on purpose; the test only reads its size.
        var entries = (IDictionary)typeof(ServerLocks).GetField("_entries", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(locks)!;
        lock (entries)
        {
            return entries.Count;
        }
    }
}
