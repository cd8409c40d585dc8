using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Outpost.Processes;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// Runs the OpenSSH client with argument lists (never a local shell): one ControlMaster per login, whose socket lives
/// in the Outpost's private control folder; scripts, port forwards and checks go through it. Host keys are always
/// checked against the configured known_hosts file, and ssh never asks anything (BatchMode).
/// </summary>
public sealed class SshClient(SshHostsBackendOptions options, string controlDirectory, ICommandRunner runner)
{
    /// <summary>ssh's exit code for its own failures (connection, authentication, host key).</summary>
    public const int SshFailure = 255;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _masterLocks = new(StringComparer.Ordinal);

    public string ControlDirectory => controlDirectory;

    /// <summary>The control socket of a login: short (socket paths are limited), distinct per address, port, account and key.</summary>
    public string ControlPath(SshLogin login)
    {
        var identity = string.Join('\n', login.Address, login.Port.ToString(CultureInfo.InvariantCulture), login.Account, login.KeyFile, login.KnownHostsFile);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..20];
        return Path.Combine(controlDirectory, hash);
    }

    /// <summary>Options every ssh call shares.</summary>
    public IReadOnlyList<string> CommonArguments(SshLogin login) =>
    [
        "-F", "none",
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=yes",
        "-o", $"UserKnownHostsFile={login.KnownHostsFile}",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "IdentitiesOnly=yes",
        "-o", "PasswordAuthentication=no",
        "-o", "KbdInteractiveAuthentication=no",
        "-o", $"ConnectTimeout={options.ConnectTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}",
        "-o", "ServerAliveInterval=5",
        "-o", "ServerAliveCountMax=3",
        "-o", "LogLevel=ERROR",
        "-o", $"ControlPath={ControlPath(login)}",
        "-i", login.KeyFile,
        "-p", login.Port.ToString(CultureInfo.InvariantCulture),
        "-l", login.Account,
    ];

    /// <summary>Starts the ControlMaster in the background once it is logged in (<c>-f</c>); it holds the forwards.</summary>
    public CommandSpec MasterCommand(SshLogin login) => Build(login, ["-M", "-N", "-f", "-o", "ControlMaster=yes", "-o", "ControlPersist=no", "-o", "ExitOnForwardFailure=yes"], [],
        TimeSpan.FromSeconds(options.ConnectTimeoutSeconds + 20));

    /// <summary>A control request to the master: <c>check</c>, <c>exit</c>, or <c>forward</c>/<c>cancel</c> with a <c>-L</c> spec.</summary>
    public CommandSpec ControlCommand(SshLogin login, string operation, string? localForward = null) =>
        Build(login, localForward is null ? ["-O", operation] : ["-O", operation, "-L", localForward], [], TimeSpan.FromSeconds(options.ConnectTimeoutSeconds + 10));

    /// <summary>A script for <c>/bin/sh -s</c> on the remote host, sent on standard input.</summary>
    public CommandSpec ScriptCommand(SshLogin login, string script, TimeSpan timeout) =>
        Build(login, ["-T", "-o", "ControlMaster=no"], [RemoteScripts.Login(options.Path)], timeout) with { StandardInput = script };

    /// <summary>The <c>-L</c> spec: the local loopback port to the server's address and port on the remote host.</summary>
    public static string LocalForward(int localPort, string serverIp, int remotePort) =>
        string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{localPort}:{(serverIp.Contains(':') ? $"[{serverIp}]" : serverIp)}:{remotePort}");

    /// <summary>Makes sure the login's master runs; throws <see cref="SshUnreachableException"/> when it cannot be opened.</summary>
    public async Task EnsureMasterAsync(SshLogin login, CancellationToken cancellationToken)
    {
        var control = ControlPath(login);
        var gate = _masterLocks.GetOrAdd(control, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(control) && (await RunAsync(ControlCommand(login, "check"), cancellationToken)).Succeeded)
            {
                return;
            }
            // A socket left by a master that died would make the new master give up multiplexing.
            File.Delete(control);
            var result = await RunAsync(MasterCommand(login), cancellationToken);
            if (!result.Succeeded)
            {
                throw new SshUnreachableException($"ssh to {login.Account}@{login.Address}:{login.Port} failed: {Summary(result)}");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs a script through the master (opening it first); a connection failure throws <see cref="SshUnreachableException"/>.</summary>
    public async Task<CommandResult> RunScriptAsync(SshLogin login, string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await EnsureMasterAsync(login, cancellationToken);
        var result = await RunAsync(ScriptCommand(login, script, timeout), cancellationToken);
        return result.ExitCode == SshFailure
            ? throw new SshUnreachableException($"ssh to {login.Account}@{login.Address}:{login.Port} failed: {Summary(result)}")
            : result;
    }

    /// <summary>Adds a local forward to the login's master (a forward that exists already is left as it is).</summary>
    public async Task ForwardAsync(SshLogin login, string localForward, CancellationToken cancellationToken)
    {
        await EnsureMasterAsync(login, cancellationToken);
        var result = await RunAsync(ControlCommand(login, "forward", localForward), cancellationToken);
        if (!result.Succeeded)
        {
            throw new BackendException($"The SSH forward {localForward} could not be opened: {Summary(result)}");
        }
    }

    /// <summary>Removes a local forward; nothing to do when the master is gone (its forwards went with it).</summary>
    public async Task CancelForwardAsync(SshLogin login, string localForward, CancellationToken cancellationToken)
    {
        if (File.Exists(ControlPath(login)))
        {
            await RunAsync(ControlCommand(login, "cancel", localForward), cancellationToken);
        }
    }

    /// <summary>Ends the login's master, when one runs.</summary>
    public async Task ExitMasterAsync(SshLogin login, CancellationToken cancellationToken)
    {
        if (File.Exists(ControlPath(login)))
        {
            await RunAsync(ControlCommand(login, "exit"), cancellationToken);
        }
    }

    /// <summary>The first line of stderr (or the exit code), for messages.</summary>
    public static string Summary(CommandResult result)
    {
        var line = result.StandardError.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return line is null ? $"exit code {result.ExitCode}" : line.Length > 300 ? line[..300] + "…" : line;
    }

    private async Task<CommandResult> RunAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(command, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new SshUnreachableException(ex.Message, ex);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BackendException($"The SSH client '{options.SshProgram}' could not be run: {ex.Message}", ex);
        }
    }

    private CommandSpec Build(SshLogin login, IReadOnlyList<string> extra, IReadOnlyList<string> remote, TimeSpan timeout) => new()
    {
        FileName = options.SshProgram,
        Arguments = [.. CommonArguments(login), .. extra, "--", login.Address, .. remote],
        // ssh reads nothing of the Outpost's environment that matters here but SSH_AUTH_SOCK: keys come only from -i.
        Environment = new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = null },
        Timeout = timeout,
    };
}
