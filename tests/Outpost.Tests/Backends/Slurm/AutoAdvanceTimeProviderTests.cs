namespace Outpost.Tests.Backends.Slurm;

public sealed class AutoAdvanceTimeProviderTests
{
    [Fact]
    public async Task Delay_MovesTheClockAndCompletesAtOnce()
    {
        var time = new AutoAdvanceTimeProvider();
        var before = time.GetUtcNow();

        await Task.Delay(TimeSpan.FromMinutes(5), time).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromMinutes(5), time.GetUtcNow() - before);
        Assert.Equal(TimeSpan.FromMinutes(5), time.Elapsed);
    }
}
