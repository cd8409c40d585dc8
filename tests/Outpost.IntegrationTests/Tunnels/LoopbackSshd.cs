using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Outpost.IntegrationTests.Tunnels;

/// <summary>
/// A real sshd on 127.0.0.1 (a free port) with its own host key and config, letting root in with a test key and
/// allowing local forwards only. Stands in for the Outpost's sshd the tunnel service connects to.
/// </summary>
internal sealed class LoopbackSshd : IAsyncDisposable
{
    private Process? _sshd;

    public string Folder { get; } = Directory.CreateTempSubdirectory("tunnelsvc-sshd-").FullName;

    public string ClientKey => Path.Combine(Folder, "client_key");

    public int Port { get; } = FreePort();

    public static async Task<LoopbackSshd> StartAsync()
    {
        var sshd = new LoopbackSshd();
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(sshd.Folder, "host_key"));
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", sshd.ClientKey);
        File.Copy(sshd.ClientKey + ".pub", Path.Combine(sshd.Folder, "authorized_keys"));
        var config = Path.Combine(sshd.Folder, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            Port {sshd.Port}
            ListenAddress 127.0.0.1
            HostKey {Path.Combine(sshd.Folder, "host_key")}
            AuthorizedKeysFile {Path.Combine(sshd.Folder, "authorized_keys")}
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PidFile none
            AllowTcpForwarding local
            PermitOpen 127.0.0.1:*
            PermitTTY no
            ForceCommand /bin/false

            """);
        Directory.CreateDirectory("/run/sshd");
        sshd._sshd = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config]) { RedirectStandardError = true, UseShellExecute = false })!;
        sshd._sshd.ErrorDataReceived += (_, _) => { };
        sshd._sshd.BeginErrorReadLine();
        await WaitForPortAsync(sshd.Port, TimeSpan.FromSeconds(30));
        return sshd;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sshd is { HasExited: false })
        {
            _sshd.Kill(entireProcessTree: true);
            await _sshd.WaitForExitAsync();
        }
        _sshd?.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}
