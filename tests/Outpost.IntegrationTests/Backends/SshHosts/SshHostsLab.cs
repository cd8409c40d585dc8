using System.Globalization;
using Outpost.Processes;

namespace Outpost.IntegrationTests.Backends.SshHosts;

/// <summary>
/// Two simulated remote hosts: network namespaces with their own address on a veth pair and their own sshd, which
/// lets the test account <see cref="Account"/> (a real login shell) in with a test key. A server bound to a
/// namespace's 127.0.0.1 is reachable from here only through SSH. The namespaces share the file system, users and
/// pids with this machine, so tests can look at remote files and processes directly. Shared by the tests of a class.
/// </summary>
public sealed class SshHostsLab : IAsyncLifetime
{
    public const string Account = "outpostssh";

    private static readonly string[] Names = ["ossh-a", "ossh-b"];
    private readonly ProcessCommandRunner _runner = new();

    /// <summary>Working folder (0755, so the remote account can read the test server).</summary>
    public string Root { get; } = Path.Combine("/tmp", $"outpost-sshhosts-{Environment.ProcessId}");

    public string ClientKey => Path.Combine(Root, "client_key");

    public string ControlDirectory => Path.Combine(Root, "ctl");

    /// <summary>The stand-in for jupyterhub-singleuser (tests/…/Assets/fake_singleuser.py), copied where the account can read it.</summary>
    public string FakeServer => Path.Combine(Root, "fake_singleuser.py");

    public string RemoteHome => $"/home/{Account}";

    public IReadOnlyList<LabHost> Hosts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await CleanUpAsync();
        Directory.CreateDirectory(Root);
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Assets", "fake_singleuser.py"), FakeServer, overwrite: true);
        File.SetUnixFileMode(FakeServer, (UnixFileMode)0b110_100_100);
        Directory.CreateDirectory("/run/sshd");

        if (!(await RunAsync("id", "-u", Account)).Succeeded)
        {
            await MustAsync("useradd", "-m", "-s", "/bin/bash", Account);
        }
        // '*': no password, but not locked (sshd without PAM refuses locked accounts even with a key).
        await MustAsync("usermod", "-p", "*", Account);
        await MustAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ClientKey, "-C", "outpost-sshhosts-test");
        var ssh = Path.Combine(RemoteHome, ".ssh");
        Directory.CreateDirectory(ssh);
        await File.WriteAllTextAsync(Path.Combine(ssh, "authorized_keys"), await File.ReadAllTextAsync(ClientKey + ".pub"));
        await MustAsync("chown", "-R", $"{Account}:{Account}", ssh);
        await MustAsync("chmod", "700", ssh);
        await MustAsync("chmod", "600", Path.Combine(ssh, "authorized_keys"));

        var hosts = new List<LabHost>();
        for (var i = 0; i < Names.Length; i++)
        {
            hosts.Add(await CreateHostAsync(Names[i], 71 + i));
        }
        Hosts = hosts;
    }

    public async Task DisposeAsync()
    {
        await CleanUpAsync();
    }

    /// <summary>Kills a host's sshd processes (the listener and the sessions): the host is down for SSH, its servers keep running.</summary>
    public async Task StopSshdAsync(LabHost host)
    {
        foreach (var pid in await PidsInAsync(host.Namespace))
        {
            if (CommandOf(pid).StartsWith("sshd", StringComparison.Ordinal))
            {
                Kill(pid);
            }
        }
        await WaitAsync(async () => !(await PidsInAsync(host.Namespace)).Any(p => CommandOf(p).StartsWith("sshd", StringComparison.Ordinal)));
    }

    public async Task StartSshdAsync(LabHost host)
    {
        File.Delete(host.PidFile);
        await MustAsync("ip", "netns", "exec", host.Namespace, "/usr/sbin/sshd", "-f", host.Config, "-E", Path.Combine(Root, $"{host.Namespace}-sshd.log"));
        await WaitAsync(() => Task.FromResult(File.Exists(host.PidFile)));
    }

    /// <summary>Processes of the remote account whose command line contains <paramref name="match"/>.</summary>
    public IReadOnlyList<int> RemoteProcesses(string match)
    {
        var found = new List<int>();
        var entry0 = File.ReadAllLines("/etc/passwd").FirstOrDefault(l => l.StartsWith(Account + ":", StringComparison.Ordinal));
        if (entry0 is null)
        {
            return found;
        }
        var uid = int.Parse(entry0.Split(':')[2], CultureInfo.InvariantCulture);
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }
            try
            {
                var status = File.ReadAllLines($"{entry}/status");
                var realUid = status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
                if (realUid == uid.ToString(CultureInfo.InvariantCulture) && File.ReadAllText($"{entry}/cmdline").Replace('\0', ' ').Contains(match, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
        return found;
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the lab did not reach the expected state in time");
            }
            await Task.Delay(50);
        }
    }

    public Task<CommandResult> RunAsync(string program, params string[] arguments) =>
        _runner.RunAsync(new CommandSpec { FileName = program, Arguments = arguments, Timeout = TimeSpan.FromSeconds(60) }, default);

    private async Task<LabHost> CreateHostAsync(string name, int subnet)
    {
        var address = $"10.231.{subnet}.2";
        var outer = $"{name}-h";
        await MustAsync("ip", "netns", "add", name);
        await MustAsync("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        await MustAsync("ip", "link", "add", outer, "type", "veth", "peer", "name", $"{name}-r");
        await MustAsync("ip", "link", "set", $"{name}-r", "netns", name);
        await MustAsync("ip", "addr", "add", $"10.231.{subnet}.1/24", "dev", outer);
        await MustAsync("ip", "link", "set", outer, "up");
        await MustAsync("ip", "netns", "exec", name, "ip", "addr", "add", $"{address}/24", "dev", $"{name}-r");
        await MustAsync("ip", "netns", "exec", name, "ip", "link", "set", $"{name}-r", "up");

        var hostKey = Path.Combine(Root, $"{name}-host_key");
        await MustAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey);
        var config = Path.Combine(Root, $"{name}-sshd_config");
        var pidFile = Path.Combine(Root, $"{name}-sshd.pid");
        await File.WriteAllTextAsync(config, $"""
            Port 22
            ListenAddress {address}
            HostKey {hostKey}
            PidFile {pidFile}
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin no
            UsePAM no
            AllowUsers {Account}
            AllowTcpForwarding local
            PermitOpen 127.0.0.1:*
            X11Forwarding no
            MaxSessions 50
            MaxStartups 50

            """);
        var knownHosts = Path.Combine(Root, $"{name}-known_hosts");
        var publicKey = (await File.ReadAllTextAsync(hostKey + ".pub")).Split(' ');
        await File.WriteAllTextAsync(knownHosts, $"{address} {publicKey[0]} {publicKey[1]}\n");
        var host = new LabHost(name, name, address, knownHosts, config, pidFile);
        await StartSshdAsync(host);
        return host;
    }

    private async Task CleanUpAsync()
    {
        // The Outpost's masters (local ssh processes using this lab's control folder) first, then whatever runs in the
        // namespaces (sshd, remote servers), then the links and namespaces; leftovers of an earlier, aborted run too.
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid) && pid != Environment.ProcessId
                && SafeRead($"{entry}/cmdline").Replace('\0', ' ') is var cmdline && cmdline.StartsWith("ssh ", StringComparison.Ordinal)
                && cmdline.Contains(Root + "/", StringComparison.Ordinal))
            {
                Kill(pid);
            }
        }
        foreach (var name in Names)
        {
            foreach (var pid in await PidsInAsync(name))
            {
                Kill(pid);
            }
            await RunAsync("ip", "link", "del", $"{name}-h");
            await RunAsync("ip", "netns", "del", name);
        }
        foreach (var pid in RemoteProcesses("fake_singleuser"))
        {
            Kill(pid);
        }
        if (Directory.Exists(Path.Combine(RemoteHome, ".outpost-servers")))
        {
            Directory.Delete(Path.Combine(RemoteHome, ".outpost-servers"), recursive: true);
        }
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private async Task<IReadOnlyList<int>> PidsInAsync(string name)
    {
        var result = await RunAsync("ip", "netns", "pids", name);
        return result.Succeeded
            ? [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Trim(), CultureInfo.InvariantCulture))]
            : [];
    }

    private static string CommandOf(int pid) => SafeRead($"/proc/{pid}/comm").Trim();

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private async Task MustAsync(string program, params string[] arguments)
    {
        var result = await RunAsync(program, arguments);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.StandardError}");
        }
    }
}

/// <summary>One simulated remote host: its configured name, namespace, address and sshd files.</summary>
public sealed record LabHost(string Name, string Namespace, string Address, string KnownHostsFile, string Config, string PidFile);

[CollectionDefinition(Name)]
public sealed class SshHostsCollection : ICollectionFixture<SshHostsLab>
{
    public const string Name = "SSH hosts lab";
}
