using System.Diagnostics;
using System.Net;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Events;

/// <summary>Progress events reach the hub in order, with the server's token, even when the hub fails for a while.</summary>
public sealed class EventRelayTests : IAsyncLifetime
{
    private FakeHub _hub = null!;
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        _outpost = await OutpostHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _outpost.DisposeAsync();
        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task Start_EventsArriveInOrder_WithTheServersToken()
    {
        using var client = _outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("alice", "lab", "e1", _hub))).StatusCode);
        var events = await _hub.WaitForEventsAsync(e => e.Any(x => x.Progress == 90));
        Assert.Equal("Server requested", events[0].Message);
        Assert.Equal(0, events[0].Progress);
        Assert.Equal(events.Select(e => e.Progress).Order(), events.Select(e => e.Progress));
        Assert.All(events, e => Assert.Equal("token token-of-alice", e.Authorization));
        Assert.All(events, e => Assert.Equal("/hub/api/users/progress/events/alice/lab", e.Path));
        Assert.All(events, e => Assert.False(e.Body.TryGetProperty("ready", out _)));
        await client.StopAsync("/services/lab/e1");
    }

    [Fact]
    public async Task HubAnswering500_DoesNotDelayTheStart_AndEveryEventArrivesInOrderLater()
    {
        _hub.FailNext(4);
        using var client = _outpost.Client();
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("bob", "", "e2", _hub))).StatusCode);
        var startTime = watch.Elapsed;
        var events = await _hub.WaitForEventsAsync(e => e.Any(x => x.Progress == 90));
        Assert.True(_hub.FailedDeliveries >= 4, $"the hub failed {_hub.FailedDeliveries} deliveries");
        Assert.Equal(events.Select(e => e.Progress).Order(), events.Select(e => e.Progress));
        Assert.Equal("Server requested", events[0].Message);
        Assert.Equal(events.Count, events.Select(e => e.Message).Distinct().Count());
        Assert.True(startTime < TimeSpan.FromSeconds(10), $"start took {startTime}");
        await client.StopAsync("/services//e2");
    }

    [Fact]
    public async Task AsyncStartFailure_SendsAFailedEvent()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("carl", "", "e3", _hub, new() { ["JUPYTER_TEST_EXIT_CODE"] = "2" });
        Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(body, async: true)).StatusCode);
        var events = await _hub.WaitForEventsAsync(e => e.Any(x => x.Failed));
        var failed = events.Single(e => e.Failed);
        Assert.Equal(100, failed.Progress);
        Assert.Contains("exited with code 2", failed.Message);
        await client.StopAsync("/services//e3");
    }

    [Fact]
    public async Task HubDown_StartStillSucceeds()
    {
        using var client = _outpost.Client();
        var body = StartBodies.For("dora", "", "e4", env: new() { ["JUPYTERHUB_EVENTS_URL"] = "http://127.0.0.1:9/hub/api/users/progress/events/dora" });
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services//e4")).StatusCode);
    }
}
