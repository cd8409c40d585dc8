using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Outpost.Processes;

namespace Outpost.Tunnels;

/// <summary>
/// The OpenSSH side of the tunnel service: one master (<c>ssh -M -N -f</c>) per node, port, user and key, with its
/// ControlPath in the service's state directory, and <c>-O check|forward|cancel|exit</c> against it. Argument
/// lists only; every value has passed <see cref="TunnelSpecValidator"/>.
/// </summary>
public sealed class OpenSshTunnels(string sshCommand, string stateDirectory, ICommandRunner runner) : ISshForwarding
{
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Short, so the socket path stays under the 104-byte limit of Unix sockets.</summary>
    public string ControlPath(TunnelSpec spec) =>
        System.IO.Path.Combine(stateDirectory, "cm-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(spec.MasterKey)))[..16]);

    /// <summary>Options every ssh call gets; the caller's allow-listed options first, because ssh keeps the first value it reads.</summary>
    public List<string> CommonArguments(TunnelSpec spec)
    {
        var arguments = new List<string>();
        foreach (var (name, value) in spec.SshOptions)
        {
            arguments.AddRange(["-o", $"{name}={value}"]);
        }
        arguments.AddRange([
            "-o", $"ControlPath={ControlPath(spec)}",
            "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=10",
            "-o", "ServerAliveInterval=15",
            "-o", "StrictHostKeyChecking=accept-new",
            "-o", $"UserKnownHostsFile={System.IO.Path.Combine(stateDirectory, "known_hosts")}",
            "-p", spec.SshPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-l", spec.SshUser,
        ]);
        if (spec.SshKey is not null)
        {
            arguments.AddRange(["-i", spec.SshKey, "-o", "IdentitiesOnly=yes"]);
        }
        return arguments;
    }

    public List<string> MasterArguments(TunnelSpec spec) =>
        ["-M", "-N", "-f", "-n", "-E", System.IO.Path.Combine(stateDirectory, "ssh.log"), .. CommonArguments(spec), "--", spec.SshNode];

    public List<string> ControlArguments(TunnelSpec spec, string operation, bool withForward) =>
        [.. CommonArguments(spec), "-O", operation, .. withForward ? new[] { "-L", spec.ForwardSpec } : [], "--", spec.SshNode];

    public async Task<bool> MasterRunsAsync(TunnelSpec spec, CancellationToken cancellationToken) =>
        (await ControlAsync(spec, "check", false, cancellationToken)).Succeeded;

    /// <summary>Starts the master unless one answers. ssh forks into the background once authenticated (-f).</summary>
    public async Task StartMasterAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        if (await MasterRunsAsync(spec, cancellationToken))
        {
            return;
        }
        // A master killed with SIGKILL leaves its socket behind, and a new master refuses to multiplex over an
        // existing path: no master answered, so the file is stale.
        File.Delete(ControlPath(spec));
        // Not through ICommandRunner: the forked master would keep redirected pipes open until it exits.
        var start = new ProcessStartInfo(sshCommand) { UseShellExecute = false };
        foreach (var argument in MasterArguments(spec))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ssh did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TunnelSshException($"ssh to {spec.SshUser}@{spec.SshNode}:{spec.SshPort} did not connect within 30 s");
        }
        if (process.ExitCode != 0 || !await MasterRunsAsync(spec, cancellationToken))
        {
            throw new TunnelSshException($"ssh to {spec.SshUser}@{spec.SshNode}:{spec.SshPort} failed (exit {process.ExitCode}; see ssh.log in the state directory)");
        }
    }

    /// <summary>Adds the forward to the master (starting it if needed). A forward the master already has is accepted again.</summary>
    public async Task ForwardAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        await StartMasterAsync(spec, cancellationToken);
        var result = await ControlAsync(spec, "forward", true, cancellationToken);
        if (!result.Succeeded)
        {
            throw new TunnelSshException($"ssh -O forward {spec.ForwardSpec} failed: {result.StandardError.Trim()}");
        }
    }

    public async Task<bool> WorksAsync(TunnelSpec spec, CancellationToken cancellationToken)
    {
        if (!await MasterRunsAsync(spec, cancellationToken))
        {
            return false;
        }
        // The master can run without our forward (cancelled, or its listener lost): the port must accept.
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(spec.BindAddress is "0.0.0.0" ? "127.0.0.1" : spec.BindAddress is "::" ? "::1" : spec.BindAddress, spec.LocalPort, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public Task CancelAsync(TunnelSpec spec, CancellationToken cancellationToken) =>
        ControlAsync(spec, "cancel", true, cancellationToken);

    public Task ExitMasterAsync(TunnelSpec spec, CancellationToken cancellationToken) =>
        ControlAsync(spec, "exit", false, cancellationToken);

    private async Task<CommandResult> ControlAsync(TunnelSpec spec, string operation, bool withForward, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(new CommandSpec { FileName = sshCommand, Arguments = ControlArguments(spec, operation, withForward), Timeout = ControlTimeout }, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new CommandResult(-1, "", $"ssh -O {operation} timed out");
        }
    }
}
