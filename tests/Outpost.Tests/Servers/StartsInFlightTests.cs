using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class StartsInFlightTests
{
    [Fact]
    public async Task CancelAsync_RunningStart_MarksTheStopAndCancels()
    {
        var starts = NewStartsInFlight();
        using var cancellation = new CancellationTokenSource();
        var start = starts.Begin(7, cancellation);

        await starts.CancelAsync(7);

        Assert.True(start.StopRequested);
        Assert.True(cancellation.IsCancellationRequested);
    }

    [Fact]
    public async Task CancelAsync_EndedOrOtherStart_DoesNothing()
    {
        var starts = NewStartsInFlight();
        using var ended = new CancellationTokenSource();
        using var other = new CancellationTokenSource();
        var endedStart = starts.Begin(1, ended);
        starts.Begin(2, other);
        starts.End(1);

        await starts.CancelAsync(1);
        await starts.CancelAsync(3);

        Assert.False(endedStart.StopRequested);
        Assert.False(ended.IsCancellationRequested);
        Assert.False(other.IsCancellationRequested);
    }

    private static StartsInFlight NewStartsInFlight() => new(Options.Create(new OutpostOptions()), new ServersHarness.TestLifetime());
}
