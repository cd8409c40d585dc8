using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Outpost.Backends;
using Outpost.Backends.SshHosts;
using Outpost.IntegrationTests.Backends.Slurm;
using Outpost.Servers;

namespace Outpost.IntegrationTests.Backends.SshHosts;

/// <summary>
/// The SSH hosts backend against two real sshd in network namespaces (<see cref="SshHostsLab"/>), built from
/// configuration through <c>AddBackends</c> as the Outpost builds it. The "server" is the test stand-in for
/// jupyterhub-singleuser, bound to the namespace's own 127.0.0.1: only the backend's SSH forward reaches it.
/// </summary>
[Collection(SshHostsCollection.Name)]
public sealed class SshHostsBackendTests(SshHostsLab lab) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<(SshHostsBackend Backend, BackendHandle Handle)> _started = [];
    private string _work = "";

    public Task InitializeAsync()
    {
        _work = Directory.CreateTempSubdirectory("outpost-sshhosts-it-").FullName;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var (backend, handle) in _started)
        {
            try
            {
                await backend.StopAsync(handle, default);
            }
            catch (BackendException)
            {
                // A test already stopped it, or left its host down; the lab's clean-up kills what is left.
            }
        }
        _http.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Start_WithTheUsersKey_IsReachedThroughTheForward_ThenPollLogsAndStopLeaveNothing()
    {
        var backend = Backend(c =>
        {
            c.Remove("KeyFile");
            c["AuthStateKey"] = "ssh_key";
        });
        var key = Convert.ToBase64String(File.ReadAllBytes(lab.ClientKey));
        var certs = new ServerCerts("KEY-PEM\n", "CERT-PEM\n", "CA-PEM\n", new Dictionary<string, string>());
        var request = Request("alice", certs: certs, authState: new Dictionary<string, string> { ["ssh_key"] = key });
        var context = new RecordingStartContext();

        var result = await StartAsync(backend, request, context);

        var handle = SshHostsHandle.From(result.Handle);
        Assert.Contains(context.Messages, m => m.Contains($"host {handle.Host}", StringComparison.Ordinal));
        Assert.Equal($"127.0.0.1:{handle.LocalPort}", result.ServiceAddress);
        // The first handle was stored before anything ran, and already names the host and the folder.
        var first = SshHostsHandle.From(context.Handles.First());
        Assert.Equal((handle.Host, handle.ResourceName, 0), (first.Host, first.ResourceName, first.Pid));

        var keyFile = Path.Combine(request.WorkDirectory, "ssh-key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(keyFile, handle.KeyFile);

        var env = await EnvAsync(result);
        Assert.Equal("alice", env["JUPYTERHUB_USER"]);
        Assert.Equal("from-config", env["OUTPOST_TEST_CONFIGURED"]);
        Assert.Equal(lab.RemoteHome, env["HOME"]);
        // Nothing of the SSH login comes through: only the request's and the configured variables (and the login's basics).
        Assert.DoesNotContain("SSH_CONNECTION", env.Keys);
        Assert.DoesNotContain("SSH_CLIENT", env.Keys);
        Assert.StartsWith($"https://127.0.0.1:{handle.RemotePort}/user/alice/", env["JUPYTERHUB_SERVICE_URL"], StringComparison.Ordinal);
        var serverDirectory = Path.Combine(lab.RemoteHome, ".outpost-servers", request.ResourceName);
        Assert.Equal(Path.Combine(serverDirectory, "certs", "server.key"), env["JUPYTERHUB_SSL_KEYFILE"]);
        Assert.Equal("KEY-PEM\n", File.ReadAllText(env["JUPYTERHUB_SSL_KEYFILE"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(env["JUPYTERHUB_SSL_KEYFILE"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(serverDirectory));

        Assert.Equal(BackendState.Running, (await backend.GetStatusAsync(result.Handle, default)).State);
        Assert.Contains(await backend.GetLogsAsync(result.Handle, 50, default), l => l.Contains("fake server starting for alice", StringComparison.Ordinal));
        // Its own session: the wrapper leads the process group the server runs in.
        var serverPid = Processes.ChildrenOf(handle.Pid, "fake_singleuser").Single();
        Assert.Equal(handle.Pid, ProcessGroupOf(serverPid));

        await backend.StopAsync(result.Handle, default);

        Assert.False(Directory.Exists($"/proc/{handle.Pid}"));
        Assert.False(Directory.Exists($"/proc/{serverPid}"));
        Assert.Empty(lab.RemoteProcesses(request.ResourceName));
        Assert.False(Directory.Exists(serverDirectory));
        Assert.False(File.Exists(keyFile));
        Assert.False(IsListening(handle.LocalPort));
    }

    [Fact]
    public async Task HostileServerNameAndValues_ArePassedLiterally_AndRunNothing()
    {
        var markers = Path.Combine(lab.Root, "markers");
        Directory.CreateDirectory(markers);
        File.SetUnixFileMode(markers, (UnixFileMode)0b111_111_111);
        var hostile = new Dictionary<string, string>
        {
            ["HOSTILE_QUOTE"] = $"'; touch {markers}/quote; '",
            ["HOSTILE_SUBST"] = $"$(touch {markers}/subst)",
            ["HOSTILE_BACKTICK"] = $"`touch {markers}/backtick`",
            ["HOSTILE_NEWLINE"] = $"a\ntouch {markers}/newline\n'\"\nb",
            ["HOSTILE_SEMICOLON"] = $"x; touch {markers}/semicolon",
            ["HOSTILE_SPACES"] = "  two  spaces \t tab ",
            ["JUPYTERHUB_SERVER_NAME"] = $"srv'$(touch {markers}/server)`touch {markers}/server2`",
        };
        var backend = Backend();

        var result = await StartAsync(backend, Request("bob", hostile, serverName: hostile["JUPYTERHUB_SERVER_NAME"]), new RecordingStartContext());

        var env = await EnvAsync(result);
        foreach (var (name, value) in hostile)
        {
            Assert.Equal(value, env[name]);
        }
        Assert.Empty(Directory.GetFiles(markers));
    }

    [Fact]
    public async Task HubUserName_ThatIsNoSafeAccount_IsRefusedBeforeAnythingRuns()
    {
        var backend = Backend(c => c["User"] = "{username}");
        var markers = Path.Combine(lab.Root, "user-markers");
        var request = Request($"x;touch {markers}");
        var context = new RecordingStartContext();

        Assert.NotNull(backend.Check(request.Key, request.Spec));
        var refused = await Assert.ThrowsAsync<BackendException>(() => backend.StartAsync(request, context, default));

        Assert.Contains("not a safe POSIX user name", refused.Message, StringComparison.Ordinal);
        Assert.Empty(context.Handles);
        Assert.False(File.Exists(markers));
        // The same rule with a good name logs in as that account.
        var good = await StartAsync(backend, Request(SshHostsLab.Account), new RecordingStartContext());
        Assert.Equal(SshHostsLab.Account, SshHostsHandle.From(good.Handle).Account);
    }

    [Fact]
    public async Task HostGoingDown_PollSaysUnknown_NewStartsGoToTheOtherHost_AndItComesBack()
    {
        var backend = Backend();
        var first = SshHostsHandle.From((await StartAsync(backend, Request("carol"), new RecordingStartContext())).Handle);
        var down = lab.Hosts.Single(h => h.Name == first.Host);
        var other = lab.Hosts.Single(h => h.Name != first.Host);

        await lab.StopSshdAsync(down);
        try
        {
            var status = await backend.GetStatusAsync(first.ToHandle(), default);
            Assert.Equal(BackendState.Unknown, status.State);
            Assert.Contains(down.Name, status.Message, StringComparison.Ordinal);

            for (var i = 0; i < 2; i++)
            {
                var context = new RecordingStartContext();
                var next = SshHostsHandle.From((await StartAsync(backend, Request("dave"), context)).Handle);
                Assert.Equal(other.Name, next.Host);
                Assert.Contains(context.Messages, m => m.Contains($"host {other.Name}", StringComparison.Ordinal));
            }
        }
        finally
        {
            await lab.StartSshdAsync(down);
        }

        // The server kept running while its host was unreachable; with sshd back, the next poll finds it and its forward.
        Assert.Equal(BackendState.Running, (await backend.GetStatusAsync(first.ToHandle(), default)).State);
        Assert.Equal("fake", (await GetJsonAsync(first.LocalPort, "/"))["version"]);
    }

    [Fact]
    public async Task MasterGone_AsAfterAnOutpostRestart_NextPollReopensItAndTheForwardOnTheSamePort()
    {
        var result = await StartAsync(Backend(), Request("erin"), new RecordingStartContext());
        var handle = SshHostsHandle.From(result.Handle);
        foreach (var master in MastersOf(handle))
        {
            System.Diagnostics.Process.GetProcessById(master).Kill();
            await Processes.WaitForReapedAsync(master);
        }
        Assert.False(IsListening(handle.LocalPort));

        // A new backend (a restarted Outpost) adopts the server from its stored handle alone.
        var adopted = Backend();
        Assert.Equal(BackendState.Running, (await adopted.GetStatusAsync(result.Handle, default)).State);

        Assert.Equal("fake", (await GetJsonAsync(handle.LocalPort, "/"))["version"]);
        _started.Add((adopted, result.Handle));
    }

    [Fact]
    public async Task ReusedPid_IsNotTakenForTheServer_AndIsNotSignalled()
    {
        var backend = Backend();
        var result = await StartAsync(backend, Request("frank"), new RecordingStartContext());
        var handle = SshHostsHandle.From(result.Handle);
        // Another process of the same account plays the one that got the server's pid later.
        using var innocent = System.Diagnostics.Process.Start("setpriv", ["--reuid", SshHostsLab.Account, "--regid", SshHostsLab.Account, "--clear-groups", "sleep", "300"]);
        await SshHostsLab.WaitAsync(() => Task.FromResult(File.ReadAllText($"/proc/{innocent.Id}/cmdline").StartsWith("sleep", StringComparison.Ordinal)));
        var ticks = long.Parse(File.ReadAllText($"/proc/{innocent.Id}/stat").Split(") ")[1].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture);
        var reused = (handle with { Pid = innocent.Id, StartTicks = ticks + 1 }).ToHandle();

        var status = await backend.GetStatusAsync(reused, default);
        await backend.StopAsync(reused, default);

        Assert.Equal(BackendState.Exited, status.State);
        Assert.False(innocent.HasExited);
        innocent.Kill();
        // The real server was not touched either (its folder went with the stop); end it by its group.
        Assert.True(Directory.Exists($"/proc/{handle.Pid}"));
        System.Diagnostics.Process.GetProcessById(handle.Pid).Kill();
        foreach (var pid in lab.RemoteProcesses(handle.ResourceName))
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
    }

    [Fact]
    public async Task StopDuringStart_EndsTheServerAndRemovesItsFolder()
    {
        var backend = Backend();
        using var cancel = new CancellationTokenSource();
        var context = new RecordingStartContext(e =>
        {
            if (e.Message.Contains("waiting for it to listen", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
            return Task.CompletedTask;
        });
        var request = Request("grace", new Dictionary<string, string> { ["JUPYTER_TEST_DELAY"] = "30" });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.StartAsync(request, context, cancel.Token));
        var last = SshHostsHandle.From(context.Handles.Last());
        Assert.NotEqual(0, last.Pid);
        await backend.StopAsync(last.ToHandle(), default);

        Assert.Empty(lab.RemoteProcesses(request.ResourceName).Select(Describe));
        Assert.False(Directory.Exists(Path.Combine(lab.RemoteHome, ".outpost-servers", request.ResourceName)));
    }

    private static string Describe(int pid) => $"{pid}: {File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][..30]}";

    [Fact]
    public async Task ServerExitingBeforeItListens_FailsTheStartWithItsOutput_AndPollReportsTheExitCode()
    {
        var backend = Backend();
        var context = new RecordingStartContext();
        var request = Request("heidi", new Dictionary<string, string> { ["JUPYTER_TEST_EXIT_CODE"] = "3" });

        var failed = await Assert.ThrowsAsync<BackendException>(() => backend.StartAsync(request, context, default));

        Assert.Contains("exited with code 3", failed.Message, StringComparison.Ordinal);
        Assert.Contains("fake server failing on purpose", failed.Message, StringComparison.Ordinal);
        var status = await backend.GetStatusAsync(context.Handles.Last(), default);
        Assert.Equal((BackendState.Exited, 3), (status.State, status.ExitCode));
        await backend.StopAsync(context.Handles.Last(), default);
    }

    [Fact]
    public async Task Check_LogsInToEachHost_AndNamesAHostWhoseKeyIsNotKnown()
    {
        var wrongKnownHosts = Path.Combine(lab.Root, "wrong_known_hosts");
        File.WriteAllText(wrongKnownHosts, File.ReadAllText(lab.Hosts[1].KnownHostsFile).Replace(lab.Hosts[1].Address, lab.Hosts[0].Address, StringComparison.Ordinal));
        var backend = Backend(c => c["Hosts:0:KnownHostsFile"] = wrongKnownHosts);

        var lines = await backend.CheckAsync(default);

        Assert.Equal(2, lines.Count);
        Assert.Equal(Outpost.Checks.CheckSeverity.Fail, lines[0].Severity);
        Assert.Contains($"host {lab.Hosts[0].Name}", lines[0].Subject, StringComparison.Ordinal);
        Assert.Equal(Outpost.Checks.CheckSeverity.Ok, lines[1].Severity);
        Assert.Contains($"{SshHostsLab.Account}@{lab.Hosts[1].Address}", lines[1].What, StringComparison.Ordinal);
    }

    private SshHostsBackend Backend(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["User"] = SshHostsLab.Account,
            ["KeyFile"] = lab.ClientKey,
            ["Command:0"] = "/usr/bin/python3",
            ["Command:1"] = lab.FakeServer,
            ["Environment:OUTPOST_TEST_CONFIGURED"] = "from-config",
            ["ControlDirectory"] = lab.ControlDirectory,
            ["PortRangeStart"] = "41000",
            ["PortRangeEnd"] = "41999",
            ["StartTimeoutSeconds"] = "40",
            ["StopGraceSeconds"] = "5",
            ["ConnectTimeoutSeconds"] = "5",
            ["CommandTimeoutSeconds"] = "20",
        };
        for (var i = 0; i < lab.Hosts.Count; i++)
        {
            settings[$"Hosts:{i}:Name"] = lab.Hosts[i].Name;
            settings[$"Hosts:{i}:Address"] = lab.Hosts[i].Address;
            settings[$"Hosts:{i}:KnownHostsFile"] = lab.Hosts[i].KnownHostsFile;
        }
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => $"Outpost:Backends:SshHosts:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection().AddLogging().AddBackends(configuration).BuildServiceProvider();
        return (SshHostsBackend)services.GetRequiredService<BackendCatalog>().Get(BackendNames.SshHosts);
    }

    private BackendStartRequest Request(
        string user, IReadOnlyDictionary<string, string>? extra = null, string serverName = "", ServerCerts? certs = null, IReadOnlyDictionary<string, string>? authState = null)
    {
        var env = new Dictionary<string, string>
        {
            ["JUPYTERHUB_API_TOKEN"] = "secret-token",
            ["JUPYTERHUB_USER"] = user,
            ["JUPYTERHUB_SERVICE_PREFIX"] = $"/user/{user}/",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }
        var spec = new ServerSpec { Name = serverName, StartId = "1", Env = env, Certs = certs };
        var resource = $"it-{Guid.NewGuid():N}"[..20];
        var work = Directory.CreateDirectory(Path.Combine(_work, resource), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        return new BackendStartRequest(new ServerKey("hub1", serverName, "1"), spec, resource, work, authState);
    }

    private async Task<BackendStartResult> StartAsync(SshHostsBackend backend, BackendStartRequest request, RecordingStartContext context)
    {
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            var result = await backend.StartAsync(request, context, timeout.Token);
            _started.Add((backend, result.Handle));
            return result;
        }
        catch
        {
            if (!context.Handles.IsEmpty)
            {
                _started.Add((backend, context.Handles.Last()));
            }
            throw;
        }
    }

    private async Task<Dictionary<string, string>> EnvAsync(BackendStartResult result) =>
        await GetJsonAsync(SshHostsHandle.From(result.Handle).LocalPort, "/env");

    private async Task<Dictionary<string, string>> GetJsonAsync(int localPort, string path)
    {
        var body = await _http.GetStringAsync($"http://127.0.0.1:{localPort}{path}");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(body)!;
    }

    private IReadOnlyList<int> MastersOf(SshHostsHandle handle)
    {
        var masters = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid))
            {
                try
                {
                    var cmdline = File.ReadAllText($"{entry}/cmdline").Split('\0');
                    if (cmdline[0] == "ssh" && cmdline.Contains("-M") && cmdline.Contains(handle.Address)
                        && cmdline.Any(a => a.StartsWith($"ControlPath={lab.ControlDirectory}/", StringComparison.Ordinal)))
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
        Assert.NotEmpty(masters);
        return masters;
    }

    private static int ProcessGroupOf(int pid) =>
        int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsListening(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
