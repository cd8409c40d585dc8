using Outpost.Backends.Kubernetes.Client;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

public sealed class KubeLeaseLockTests
{
    [Fact]
    public async Task TryAcquire_OneHolderAtATime_TakeoverAfterExpiry()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        using var client = new KubeClient(server.Config);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var a = new KubeLeaseLock(client, "jhub", "sweeper", "a", TimeSpan.FromSeconds(30), time);
        var b = new KubeLeaseLock(client, "jhub", "sweeper", "b", TimeSpan.FromSeconds(30), time);

        Assert.True(await a.TryAcquireAsync(CancellationToken.None));
        Assert.False(await b.TryAcquireAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await a.TryAcquireAsync(CancellationToken.None)); // renew
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(await b.TryAcquireAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await b.TryAcquireAsync(CancellationToken.None));

        var lease = server.Get("leases", "jhub", "sweeper")!;
        Assert.Equal("b", lease["spec"]!["holderIdentity"]!.GetValue<string>());
        Assert.Equal(1, lease["spec"]!["leaseTransitions"]!.GetValue<int>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", lease["spec"]!["renewTime"]!.GetValue<string>());
    }
}
