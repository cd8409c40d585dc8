using System.Net;

namespace Outpost.IntegrationTests.Servers;

/// <summary>A stop that arrives while a start runs cancels it and removes what the backend created.</summary>
public sealed class StopDuringStartTests : IAsyncLifetime
{
    private OutpostHost _outpost = null!;

    public async Task InitializeAsync() => _outpost = await OutpostHost.StartAsync();

    public async Task DisposeAsync() => await _outpost.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stop_DuringSlowStart_CancelsIt_AndKillsTheProcess(bool asyncStop)
    {
        using var client = _outpost.Client();
        var pidFile = Path.Combine(_outpost.DataDir, $"slow-{asyncStop}.pid");
        var body = StartBodies.For("slow", "", "s", env: new() { ["JUPYTER_TEST_DELAY"] = "60", ["JUPYTER_TEST_PIDFILE"] = pidFile });
        Assert.Equal(HttpStatusCode.Accepted, (await client.StartAsync(body, async: true)).StatusCode);
        var pid = await Processes.ReadPidAsync(pidFile);

        var stop = await client.StopAsync("/services//s", asyncStop);
        Assert.Equal(asyncStop ? HttpStatusCode.Accepted : HttpStatusCode.OK, stop.StatusCode);
        await Processes.WaitForExitAsync(pid);
        await client.PollUntilAsync("/services//s", (response, _) => response.StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SyncStart_StoppedFromAnotherRequest_Answers419_AndLeavesNothing()
    {
        using var client = _outpost.Client();
        var pidFile = Path.Combine(_outpost.DataDir, "sync-slow.pid");
        var body = StartBodies.For("slow2", "", "t", env: new() { ["JUPYTER_TEST_DELAY"] = "60", ["JUPYTER_TEST_PIDFILE"] = pidFile });
        var start = client.StartAsync(body);
        var pid = await Processes.ReadPidAsync(pidFile);
        using var other = _outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await other.StopAsync("/services//t")).StatusCode);
        var response = await start;
        Assert.Equal(419, (int)response.StatusCode);
        Assert.Contains("cancelled because the server was stopped", (await response.JsonAsync()).GetProperty("args")[0].GetString());
        await Processes.WaitForExitAsync(pid);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services//t")).StatusCode);
    }
}
