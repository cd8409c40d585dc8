using Outpost.Events;

namespace Outpost.Tests.Events;

public sealed class DeliveryNoticesTests
{
    [Fact]
    public async Task WaitAsync_EndsWhenTheEventIsHandled()
    {
        var notices = new DeliveryNotices();
        var wait = notices.WaitAsync(7, TimeSpan.FromSeconds(10));
        Assert.False(wait.IsCompleted);
        notices.Handled(7);
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_ForAnEventHandledBefore_EndsAtOnce()
    {
        var notices = new DeliveryNotices();
        notices.Handled(3);
        Assert.True(notices.WaitAsync(3, TimeSpan.FromSeconds(10)).IsCompleted);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task WaitAsync_NeverHandled_EndsAfterTheLimitWithoutError()
    {
        var notices = new DeliveryNotices();
        await notices.WaitAsync(9, TimeSpan.FromMilliseconds(50)).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
