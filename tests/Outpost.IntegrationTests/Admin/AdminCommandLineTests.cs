using System.Net;
using Outpost.IntegrationTests.Fakes;
using Outpost.IntegrationTests.Storage;

namespace Outpost.IntegrationTests.Admin;

/// <summary>The operator's commands as the `outpost` executable runs them, against real `outpost serve` processes.</summary>
public sealed class AdminCommandLineTests
{
    [Fact]
    public async Task Servers_OnSqlite_ListAndStopAServerStartedThroughTheApi()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-admin-").FullName;
        await using var hub = await FakeHub.StartAsync();
        var log = Path.Combine(Directory.CreateTempSubdirectory("outpost-admin-log-").FullName, "outpost.log");
        await using var outpost = await OutpostProcess.StartAsync(dataDir, logFile: log, extra: new() { ["Logging:LogLevel:Outpost.Admin"] = "Information" });
        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.StartAsync(StartBodies.For("erin", "", "s1", hub))).StatusCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, "admin.sock")));

        // The socket comes from the configured DataDir, as `outpost serve` reads it.
        var list = await CommandLineTests.RunAsync(dataDir, "servers", "list");
        Assert.True(list.ExitCode == 0, list.Errors);
        var lines = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(["hub1", "(default)", "s1", "erin", "running", "Local", "-"], AdminChannelTests.Cells(lines[1])[..7]);

        var show = await CommandLineTests.RunAsync(dataDir, "servers", "show", "hub1", "", "--json");
        Assert.Contains("\"phase\":\"running\"", show.Output);
        Assert.DoesNotContain("token-of-erin", show.Output);

        var stop = await CommandLineTests.RunAsync(dataDir, "servers", "stop", "hub1", "");
        Assert.Equal((0, "Stopped hub1/(default)/s1 (it was running).\n", ""), stop);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/services//s1")).StatusCode);
        Assert.Equal("No servers.\n", (await CommandLineTests.RunAsync(dataDir, "servers", "list")).Output);
        await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.Contains("Stop of hub1//s1 (Running) requested through the admin socket", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task Servers_NoOutpostRunning_SaysSo()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-admin-").FullName;

        var (exitCode, output, errors) = await CommandLineTests.RunAsync(dataDir, "servers", "list");

        Assert.Equal((1, ""), (exitCode, output));
        Assert.Equal($"outpost: no Outpost is listening on {Path.Combine(dataDir, "admin.sock")}; start it (outpost serve), or name the socket of a running one with --socket PATH.\n", errors);
    }

    [Fact]
    public async Task Servers_OnPostgresWithTwoReplicas_AnyReplicasSocketListsAndStops()
    {
        await using var hub = await FakeHub.StartAsync();
        await using var replicas = await OutpostReplicas.StartAsync(2);
        using var first = replicas[0].Client();
        Assert.Equal(HttpStatusCode.OK, (await first.StartAsync(StartBodies.For("fay", "nb", "s1", hub))).StatusCode);
        var secondSocket = Path.Combine(replicas.Root, "r1", "admin.sock");
        var scratch = Directory.CreateTempSubdirectory("outpost-admin-").FullName;

        var list = await CommandLineTests.RunAsync(scratch, "servers", "list", "--socket", secondSocket);
        Assert.True(list.ExitCode == 0, list.Errors);
        Assert.Equal(["hub1", "nb", "s1", "fay", "running", "Local", "-"], AdminChannelTests.Cells(list.Output.Split('\n')[1])[..7]);

        var stop = await CommandLineTests.RunAsync(scratch, "servers", "stop", "hub1", "nb", "s1", "--socket", secondSocket);
        Assert.Equal((0, "Stopped hub1/nb/s1 (it was running).\n", ""), stop);
        Assert.Equal(HttpStatusCode.NotFound, (await first.GetAsync("/services/nb/s1")).StatusCode);
        var firstSocket = Path.Combine(replicas.Root, "r0", "admin.sock");
        Assert.Equal("No servers.\n", (await CommandLineTests.RunAsync(scratch, "servers", "list", "--socket", firstSocket)).Output);
        var events = await CommandLineTests.RunAsync(scratch, "events", "--hub", "hub1", "--socket", firstSocket);
        Assert.Contains("Server started on the Outpost.", events.Output);
    }
}
