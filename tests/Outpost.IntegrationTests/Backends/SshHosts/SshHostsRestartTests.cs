using System.Net;
using System.Text.Json;

namespace Outpost.IntegrationTests.Backends.SshHosts;

/// <summary>
/// A real Outpost (OUTPOST_EXECUTABLE) on the SSH hosts backend, killed with SIGKILL together with its ControlMasters
/// (as a reboot of its machine would): the next Outpost adopts the remote server and re-creates the forward on the
/// same local port, so the address the hub has keeps working.
/// </summary>
[Collection(SshHostsCollection.Name)]
public sealed class SshHostsRestartTests(SshHostsLab lab)
{
    [Fact]
    public async Task KillMinus9_WithTheMasters_NextOutpostAdoptsTheServerAndItsForwardOnTheSamePort()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-sshhosts-restart-").FullName;
        var control = Path.Combine(lab.Root, "ctl-restart");
        var settings = Settings(control);
        string address;
        int port;
        int wrapperPid;

        await using (var first = await OutpostProcess.StartAsync(dataDir, extra: settings))
        {
            port = first.Port;
            using var client = first.Client();
            var started = await client.StartAsync(StartBodies.For("ivan", "", "i"));
            var body = await started.JsonAsync();
            Assert.True(started.StatusCode == HttpStatusCode.OK, body.ToString());
            address = body.GetProperty("service").GetString()!;
            Assert.Equal("fake", await VersionAsync(address));
            wrapperPid = lab.RemoteProcesses("/.outpost-servers/").Single(p => File.ReadAllText($"/proc/{p}/cmdline").StartsWith("/bin/sh", StringComparison.Ordinal)
                && File.ReadAllText($"/proc/{p}/environ").Contains("JUPYTERHUB_USER=ivan", StringComparison.Ordinal));
            await first.KillAsync();
        }
        foreach (var master in Masters(control))
        {
            System.Diagnostics.Process.GetProcessById(master).Kill();
            await Processes.WaitForReapedAsync(master);
        }
        await Assert.ThrowsAsync<HttpRequestException>(() => VersionAsync(address));
        Assert.True(Processes.IsAlive(wrapperPid), "the remote server outlives the Outpost");

        await using (var second = await OutpostProcess.StartAsync(dataDir, port, extra: settings))
        {
            using var again = second.Client();
            await again.PollUntilAsync("/services//i", (_, json) => json.GetProperty("status").ValueKind == JsonValueKind.Null);
            await SshHostsLab.WaitAsync(async () =>
            {
                try
                {
                    return await VersionAsync(address) == "fake";
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            });

            Assert.Equal(HttpStatusCode.OK, (await again.StopAsync("/services//i")).StatusCode);
            await Processes.WaitForReapedAsync(wrapperPid);
            await Assert.ThrowsAsync<HttpRequestException>(() => VersionAsync(address));
        }
        Directory.Delete(dataDir, recursive: true);
    }

    private Dictionary<string, string> Settings(string control)
    {
        var settings = new Dictionary<string, string>
        {
            ["Outpost:Backends:Default"] = "SshHosts",
            ["Outpost:Backends:SshHosts:User"] = SshHostsLab.Account,
            ["Outpost:Backends:SshHosts:KeyFile"] = lab.ClientKey,
            ["Outpost:Backends:SshHosts:Command:0"] = "/usr/bin/python3",
            ["Outpost:Backends:SshHosts:Command:1"] = lab.FakeServer,
            ["Outpost:Backends:SshHosts:ControlDirectory"] = control,
            ["Outpost:Backends:SshHosts:PortRangeStart"] = "42000",
            ["Outpost:Backends:SshHosts:PortRangeEnd"] = "42999",
            ["Outpost:Backends:SshHosts:StopGraceSeconds"] = "5",
        };
        for (var i = 0; i < lab.Hosts.Count; i++)
        {
            settings[$"Outpost:Backends:SshHosts:Hosts:{i}:Name"] = lab.Hosts[i].Name;
            settings[$"Outpost:Backends:SshHosts:Hosts:{i}:Address"] = lab.Hosts[i].Address;
            settings[$"Outpost:Backends:SshHosts:Hosts:{i}:KnownHostsFile"] = lab.Hosts[i].KnownHostsFile;
        }
        return settings;
    }

    private static async Task<string?> VersionAsync(string address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var body = await http.GetStringAsync($"http://{address}/");
        return JsonDocument.Parse(body).RootElement.GetProperty("version").GetString();
    }

    private static List<int> Masters(string control)
    {
        var masters = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid))
            {
                try
                {
                    var cmdline = File.ReadAllText($"{entry}/cmdline").Split('\0');
                    if (cmdline[0] == "ssh" && cmdline.Contains("-M") && cmdline.Any(a => a.StartsWith($"ControlPath={control}/", StringComparison.Ordinal)))
                    {
                        masters.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }
        return masters;
    }
}
