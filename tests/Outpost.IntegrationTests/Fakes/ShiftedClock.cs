namespace Outpost.IntegrationTests.Fakes;

/// <summary>
/// The system clock plus a shift that <see cref="Advance"/> adds to; timers and delays stay on real time.
/// </summary>
/// <remarks>
/// For tests of a whole running Outpost that must jump ahead by hours (a runtime limit, a failed server's retention)
/// while the host's background loops keep running at their real pace. <see cref="FakeTimeProvider"/> does not fit
/// there: its timers fire only when a test advances it, so the runtime sweeper, the reconciler, the orphan sweeper
/// and the sshd announcer (all waiting on the injected clock) would stop, and a loop that is mid-pass when the test
/// advances registers its next wait after the advance and never wakes. Unit tests of one component use
/// <see cref="FakeTimeProvider"/>.
/// </remarks>
public sealed class ShiftedClock : TimeProvider
{
    private long _shiftTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _shiftTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);
}
