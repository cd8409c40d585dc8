namespace Outpost.Tests.Backends.Slurm;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that moves by itself when someone waits on it: each timer moves the clock forward
/// by its due time, so it fires at once. Code that polls with <c>Task.Delay(interval, timeProvider)</c> thus runs
/// instantly, while deadlines computed from <see cref="TimeProvider.GetUtcNow"/> still pass at the right iteration.
/// </summary>
internal sealed class AutoAdvanceTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    /// <summary>Time that has passed on this clock.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            // Not here: the caller (Task.Delay) has not stored the timer yet.
            ThreadPool.QueueUserWorkItem(_ => Advance(dueTime));
        }
        return timer;
    }
}
