using System.Net;
using Outpost.Admin;
using Outpost.IntegrationTests.Fakes;

namespace Outpost.IntegrationTests.Admin;

/// <summary>The operator's commands against an Outpost in this process, through its admin socket.</summary>
public sealed class AdminChannelTests
{
    [Fact]
    public async Task ServersCommands_ListShowStop_ActThroughTheRunningOutpost_AndTheHubSeesTheStop()
    {
        await using var hub = await FakeHub.StartAsync();
        await using var outpost = await OutpostHost.StartAsync();
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("alice", "", "s1", hub))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await outpost.Client(OutpostHost.Hub2).StartAsync(StartBodies.For("bert", "lab", "7", hub))).StatusCode);

        var list = await RunAsync(outpost, "servers", "list");
        Assert.Equal(0, list.ExitCode);
        var lines = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["HUB", "NAME", "START ID", "USER", "PHASE", "BACKEND", "FLAVOR", "SERVICE", "STARTED (UTC)"], Cells(lines[0]));
        Assert.Equal(["hub1", "(default)", "s1", "alice", "running", "Local", "-"], Cells(lines[1])[..7]);
        Assert.Equal(["hub2", "lab", "7", "bert", "running", "Local", "-"], Cells(lines[2])[..7]);
        Assert.Equal(3, lines.Length);
        Assert.Equal("No servers.\n", (await RunAsync(outpost, "servers", "list", "--state", "stopped")).Output);
        Assert.Single((await RunAsync(outpost, "servers", "list", "--hub", "hub2")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..]);

        var show = await RunAsync(outpost, "servers", "show", "hub1", "");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("Server       hub1/(default)/s1\n", show.Output);
        Assert.Contains("Phase        running\n", show.Output);
        Assert.Contains("User         alice (id 17)\n", show.Output);
        Assert.Matches(@"\n\d+ +\S+ \S+ +0 +delivered +1 +Server requested\n", show.Output);
        Assert.DoesNotContain("token-of-alice", show.Output); // the API token is in the spec, never printed

        var stop = await RunAsync(outpost, "servers", "stop", "hub1", "", "s1");
        Assert.Equal((0, "Stopped hub1/(default)/s1 (it was running).\n", ""), stop);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services//s1")).StatusCode);
        Assert.DoesNotContain("alice", (await RunAsync(outpost, "servers", "list")).Output);
        // The local backend's servers outlive the Outpost (restart recovery): stop the other one too.
        Assert.Equal(HttpStatusCode.OK, (await outpost.Client(OutpostHost.Hub2).StopAsync("/services/lab/7")).StatusCode);

        var events = await RunAsync(outpost, "events", "--hub", "hub1");
        Assert.Contains("hub1//s1", events.Output);
        Assert.Contains("Server started on the Outpost.", events.Output);
        Assert.EndsWith("0 waiting in the outbox.\n", events.Output);
        Assert.Equal("No events.\n0 waiting in the outbox.\n", (await RunAsync(outpost, "events", "--undelivered")).Output);
    }

    [Fact]
    public async Task Events_HubThatRefuses_AreListedAsUndelivered()
    {
        await using var hub = await FakeHub.StartAsync();
        await using var outpost = await OutpostHost.StartAsync();
        // The Outpost's own /services takes no hub token: the event is refused with a 401, and not sent again.
        var body = StartBodies.For("carl", "", "s1", hub, env: new() { ["JUPYTERHUB_EVENTS_URL"] = $"{outpost.BaseUrl}/services" });
        Assert.Equal(HttpStatusCode.OK, (await outpost.Client().StartAsync(body)).StatusCode);

        var events = await WaitForAsync(outpost, o => o.Contains("refused (HTTP 401)", StringComparison.Ordinal), "events", "--undelivered");

        Assert.Contains("hub1//s1", events);
        Assert.DoesNotContain("delivered", events.Replace("undelivered", "", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await outpost.Client().StopAsync("/services//s1")).StatusCode);
    }

    [Fact]
    public async Task Show_AmbiguousOrUnknownServer_SaysWhatToGive()
    {
        await using var outpost = await OutpostHost.StartAsync();
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("dora", "nb", "a"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("dora", "nb", "b"))).StatusCode);

        Assert.Equal((1, "", "outpost: Hub 'hub1' has 2 servers nb (start ids a, b); give the start id.\n"), await RunAsync(outpost, "servers", "show", "hub1", "nb"));
        Assert.Equal((1, "", "outpost: There is no server hub1/nb/c on this Outpost.\n"), await RunAsync(outpost, "servers", "stop", "hub1", "nb", "c"));
        Assert.Equal((1, "", "outpost: Hub 'hub2' has no server nb on this Outpost.\n"), await RunAsync(outpost, "servers", "show", "hub2", "nb"));
        var badState = await RunAsync(outpost, "servers", "list", "--state", "sleeping");
        Assert.Equal((1, "outpost: 'sleeping' is not a state; use one of pending, starting, running, stopping, stopped, failed.\n"), (badState.ExitCode, badState.Errors));
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/nb/a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.StopAsync("/services/nb/b")).StatusCode);
    }

    [Fact]
    public async Task AdminRoutes_AreOnlyOnTheSocket_WhichIs0600_AndServesNothingElse()
    {
        await using var outpost = await OutpostHost.StartAsync();
        Assert.Equal(Path.Combine(outpost.DataDir, "admin.sock"), outpost.AdminSocket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(outpost.AdminSocket));

        using var tcp = outpost.Client();
        foreach (var path in new[] { "/admin/servers", "/admin/events", "/admin/server?hub=hub1&name=x" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await tcp.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await tcp.PostAsync("/admin/server/stop?hub=hub1&name=x", null)).StatusCode);
        Assert.DoesNotContain("/admin", await tcp.GetStringAsync("/openapi/v1.json"));

        using var socket = new AdminClient(outpost.AdminSocket);
        Assert.Equal(200, (await socket.SendAsync(HttpMethod.Get, "/admin/servers")).Status);
        Assert.Equal(404, (await socket.SendAsync(HttpMethod.Get, "/services")).Status);
        Assert.Equal(404, (await socket.SendAsync(HttpMethod.Get, "/ping")).Status);
    }

    [Fact]
    public async Task AdminSocket_EmptySetting_TurnsTheChannelOff()
    {
        await using var outpost = await OutpostHost.StartAsync(new() { ["Outpost:Admin:Socket"] = "" });
        Assert.False(File.Exists(Path.Combine(outpost.DataDir, "admin.sock")));
        Assert.Equal(HttpStatusCode.OK, (await outpost.Client().GetAsync("/services")).StatusCode);
    }

    [Fact]
    public async Task Commands_NoOutpostListening_SayHowToGoOn()
    {
        var socket = Path.Combine(Directory.CreateTempSubdirectory("outpost-admin-").FullName, "admin.sock");
        var output = new StringWriter();
        var errors = new StringWriter();

        var exitCode = await AdminCommandLine.RunAsync(["servers", "list", "--socket", socket], output, errors);

        Assert.Equal(1, exitCode);
        Assert.Equal($"outpost: no Outpost is listening on {socket}; start it (outpost serve), or name the socket of a running one with --socket PATH.\n", errors.ToString());
    }

    /// <summary>The command as `outpost` runs it, in this process, against <paramref name="outpost"/>'s socket.</summary>
    internal static async Task<(int ExitCode, string Output, string Errors)> RunAsync(OutpostHost outpost, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var errors = new StringWriter { NewLine = "\n" };
        var exitCode = await AdminCommandLine.RunAsync([.. args, "--socket", outpost.AdminSocket], output, errors);
        return (exitCode, output.ToString(), errors.ToString());
    }

    private static async Task<string> WaitForAsync(OutpostHost outpost, Func<string, bool> done, params string[] args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (_, output, _) = await RunAsync(outpost, args);
            if (done(output) || DateTime.UtcNow > deadline)
            {
                return output;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The cells of a table line (columns are two or more spaces apart).</summary>
    internal static string[] Cells(string line) => System.Text.RegularExpressions.Regex.Split(line.TrimEnd(), "  +");
}
