using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Hosting;
using Outpost.Operations;
using Outpost.Processes;
using Outpost.Servers;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// Runs each server on one of a set of plain hosts over SSH (the job of SSHSpawner). The server runs in its own
/// session on the remote host, bound to its loopback (or <see cref="SshHostsBackendOptions.ServerIp"/>); the Outpost
/// reaches it through a local forward on the host's ControlMaster and gives the hub 127.0.0.1:&lt;local port&gt;, so the
/// chain is hub → Outpost's sshd → Outpost host → SSH forward → remote host. Everything needed to find the server
/// again is in the handle, so a restarted Outpost re-opens the master and the forward on its next poll.
/// </summary>
public sealed partial class SshHostsBackend(
    IOptions<SshHostsBackendOptions> options,
    IOptions<OutpostOptions> outpostOptions,
    ICommandRunner runner,
    TimeProvider time,
    ILogger<SshHostsBackend> logger) : IBackend
{
    private const string KeyFileName = "ssh-key";

    private readonly SshHostsBackendOptions _options = options.Value;
    private readonly SshHostPicker _picker = new(options.Value, time);
    private readonly Lazy<SshClient> _ssh = new(() => new SshClient(options.Value, ControlDirectoryOf(options.Value, outpostOptions.Value), runner));

    public string Name => BackendNames.SshHosts;

    internal SshHostPicker Picker => _picker;

    private SshClient Ssh => _ssh.Value;

    /// <summary>How long a poll, a log read or one step of a start may take on the remote host before it counts as failed.</summary>
    private TimeSpan ProbeTimeout => TimeSpan.FromSeconds(_options.CommandTimeoutSeconds);

    public string? Check(ServerKey key, ServerSpec spec)
    {
        try
        {
            CheckRequest(spec);
            return null;
        }
        catch (BackendException e)
        {
            return e.Message;
        }
    }

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        CheckRequest(request.Spec);
        EnsureControlDirectory();
        var ownKey = WriteAuthStateKey(request);
        var candidates = _picker.Candidates();
        if (candidates.Count == 0)
        {
            throw new BackendException($"No SSH host is available: all of {string.Join(", ", _options.Hosts.Select(h => h.Name))} failed recently; they are tried again after {_options.HostRetrySeconds} s.");
        }

        var failures = new List<string>();
        foreach (var host in candidates)
        {
            var handle = new SshHostsHandle(
                host.Name, host.Address, host.Port, host.KnownHostsFile,
                RemoteAccount.For(host.User ?? _options.User, request.Spec.UserName),
                ownKey ?? KeyFileFor(host), ownKey is not null, _options.RemoteDirectory, request.ResourceName, ServerIp: _options.ServerIp);
            // Stored before anything runs on the host: a stop (or the cleanup of a failed start) can always find it.
            await context.SaveHandleAsync(handle.ToHandle(), cancellationToken);
            await context.ReportAsync(new ProgressEvent(20, $"Connecting to host {host.Name} ({host.Address}) as {handle.Account}."), cancellationToken);
            try
            {
                await Ssh.EnsureMasterAsync(handle.Login, cancellationToken);
            }
            catch (SshUnreachableException e)
            {
                MarkDown(host.Name, e.Message);
                failures.Add($"{host.Name}: {e.Message}");
                await context.ReportAsync(new ProgressEvent(20, $"Host {host.Name} cannot be reached; trying another host."), cancellationToken);
                continue;
            }
            _picker.MarkUp(host.Name);
            return await StartOnAsync(handle, request, context, cancellationToken);
        }
        throw new BackendException($"No SSH host could be reached: {string.Join("; ", failures)}");
    }

    public async Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var server = SshHostsHandle.From(handle);
        ProbeResult probe;
        try
        {
            probe = await ProbeAsync(server, cancellationToken);
        }
        catch (SshUnreachableException e)
        {
            MarkDown(server.Host, e.Message);
            return BackendStatus.Unknown($"Host {server.Host} cannot be reached: {e.Message}");
        }
        switch (probe.State)
        {
            case "running":
            case "starting":
                _picker.Track(server.ResourceName, server.Host);
                if (server.LocalPort > 0 && server.RemotePort > 0)
                {
                    // After an Outpost restart the master (and with it the forward) may be gone: put it back, on the same local port.
                    try
                    {
                        await Ssh.ForwardAsync(server.Login, SshClient.LocalForward(server.LocalPort, server.ServerIp, server.RemotePort), cancellationToken);
                    }
                    catch (Exception e) when (e is BackendException or SshUnreachableException)
                    {
                        Log.ForwardFailed(logger, server.Host, server.LocalPort, e.Message);
                        return BackendStatus.Unknown(e.Message);
                    }
                }
                return BackendStatus.Running;
            case "exited":
                _picker.Forget(server.ResourceName);
                return BackendStatus.Exited(probe.ExitCode, probe.ExitCode == 0 ? null : $"The server process on host {server.Host} exited with code {probe.ExitCode}.");
            case "dead":
                _picker.Forget(server.ResourceName);
                return BackendStatus.Exited(0, $"The server process on host {server.Host} ended without recording an exit code (it was killed).");
            default:
                _picker.Forget(server.ResourceName);
                return BackendStatus.Exited(0, $"The server's folder on host {server.Host} is gone; the server has ended.");
        }
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var server = SshHostsHandle.From(handle);
        if (server.LocalPort > 0 && server.RemotePort > 0)
        {
            // First, so the local port is free again even when the host cannot be reached.
            await TryAsync(() => Ssh.CancelForwardAsync(server.Login, SshClient.LocalForward(server.LocalPort, server.ServerIp, server.RemotePort), cancellationToken));
        }
        CommandResult result;
        try
        {
            result = await Ssh.RunScriptAsync(server.Login, RemoteScripts.Stop(server.Directory, server.Pid, server.StartTicks, _options.StopGraceSeconds),
                TimeSpan.FromSeconds(_options.StopGraceSeconds + _options.CommandTimeoutSeconds), cancellationToken);
        }
        catch (SshUnreachableException e)
        {
            MarkDown(server.Host, e.Message);
            throw new BackendException($"The server on host {server.Host} could not be stopped: {e.Message}", e);
        }
        if (!result.Succeeded)
        {
            throw new BackendException($"The server on host {server.Host} could not be stopped: {SshClient.Summary(result)}");
        }
        _picker.Forget(server.ResourceName);
        if (server.OwnKey)
        {
            // The user's own key had a master of its own; neither outlives the server.
            await TryAsync(() => Ssh.ExitMasterAsync(server.Login, cancellationToken));
            File.Delete(server.KeyFile);
        }
        Log.Stopped(logger, server.ResourceName, server.Host);
    }

    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var server = SshHostsHandle.From(handle);
        if (maxLines <= 0)
        {
            return [];
        }
        try
        {
            var result = await Ssh.RunScriptAsync(server.Login, RemoteScripts.Tail(server.Directory, maxLines), ProbeTimeout, cancellationToken);
            var lines = result.StandardOutput.Split('\n');
            return [.. lines.Where((line, i) => i < lines.Length - 1 || line.Length > 0).Select(l => l.TrimEnd('\r'))];
        }
        catch (SshUnreachableException e)
        {
            MarkDown(server.Host, e.Message);
            return [];
        }
    }

    private async Task<BackendStartResult> StartOnAsync(SshHostsHandle handle, BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        await context.ReportAsync(new ProgressEvent(30, $"Starting the server on host {handle.Host} ({handle.Address}) as {handle.Account}."), cancellationToken);
        var script = RemoteScripts.Start(StartInput(request));
        var result = await RunOnHostAsync(handle, script, TimeSpan.FromSeconds(_options.CommandTimeoutSeconds), cancellationToken);
        var words = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Split(' ');
        if (!result.Succeeded || words is not ["started", var pidText, var ticksText, var portText]
            || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var remotePort))
        {
            throw new BackendException($"The server could not be started on host {handle.Host}: {SshClient.Summary(result)}");
        }
        handle = handle with { Pid = pid, StartTicks = ticks, RemotePort = remotePort, LocalPort = FreeLocalPort() };
        await context.SaveHandleAsync(handle.ToHandle(), cancellationToken);
        _picker.Track(handle.ResourceName, handle.Host);
        Log.Started(logger, request.Key.ToString(), handle.Host, pid, remotePort, handle.LocalPort);

        await context.ReportAsync(new ProgressEvent(50, $"Server process {pid} started on host {handle.Host}; waiting for it to listen on port {remotePort}."), cancellationToken);
        await WaitUntilListeningAsync(handle, cancellationToken);
        await Ssh.ForwardAsync(handle.Login, SshClient.LocalForward(handle.LocalPort, handle.ServerIp, handle.RemotePort), cancellationToken);
        await context.ReportAsync(new ProgressEvent(80, $"Server on host {handle.Host} is listening; forwarded from 127.0.0.1:{handle.LocalPort}."), cancellationToken);
        return new BackendStartResult(handle.ToHandle(), $"127.0.0.1:{handle.LocalPort}");
    }

    private async Task WaitUntilListeningAsync(SshHostsHandle handle, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(_options.StartTimeoutSeconds);
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            ProbeResult probe;
            try
            {
                probe = await ProbeAsync(handle, cancellationToken);
            }
            catch (SshUnreachableException e)
            {
                MarkDown(handle.Host, e.Message);
                throw new BackendException($"Host {handle.Host} stopped answering while the server started: {e.Message}", e);
            }
            if (probe is { State: "running", Listening: true })
            {
                return;
            }
            if (probe.State is not ("running" or "starting"))
            {
                var tail = await GetLogsAsync(handle.ToHandle(), 20, cancellationToken);
                var how = probe.State == "exited" ? $"exited with code {probe.ExitCode}" : "ended";
                throw new BackendException($"The server process on host {handle.Host} {how} before it listened on port {handle.RemotePort}. Last output:\n{string.Join('\n', tail)}");
            }
            if (time.GetUtcNow() >= deadline)
            {
                throw new BackendException($"The server on host {handle.Host} did not listen on port {handle.RemotePort} within {_options.StartTimeoutSeconds} s.");
            }
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 1000));
        }
    }

    private async Task<ProbeResult> ProbeAsync(SshHostsHandle handle, CancellationToken cancellationToken)
    {
        var result = await Ssh.RunScriptAsync(handle.Login, RemoteScripts.Probe(handle.Directory, handle.Pid, handle.StartTicks, handle.RemotePort), ProbeTimeout, cancellationToken);
        return ProbeResult.Parse(result);
    }

    private async Task<CommandResult> RunOnHostAsync(SshHostsHandle handle, string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await Ssh.RunScriptAsync(handle.Login, script, timeout, cancellationToken);
        }
        catch (SshUnreachableException e)
        {
            MarkDown(handle.Host, e.Message);
            throw new BackendException($"Host {handle.Host} stopped answering while the server started: {e.Message}", e);
        }
    }

    /// <summary>The remote start's input: environment (configured, then the hub's), certificates, ports, command.</summary>
    private RemoteStart StartInput(BackendStartRequest request)
    {
        var spec = request.Spec;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _options.Environment)
        {
            environment[name] = value;
        }
        foreach (var (name, value) in spec.Env)
        {
            environment[name] = value;
        }
        // Only the Outpost knows where the server listens and where its certificates are on the remote host.
        foreach (var name in new[] { HubEnv.ServiceUrl, HubEnv.SslKeyFile, HubEnv.SslCertFile, HubEnv.SslClientCa })
        {
            environment.Remove(name);
        }
        var files = new List<KeyValuePair<string, string>>();
        var fileEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec.Certs is { } certs)
        {
            files.Add(new("certs/server.key", certs.KeyFile));
            files.Add(new("certs/server.crt", certs.CertFile));
            files.Add(new("certs/notebooks-ca_trust.crt", certs.CaFile));
            foreach (var (component, pem) in certs.TrustBundles)
            {
                if (RemoteAccount.IsSafeUserName(component.ToLowerInvariant()))
                {
                    files.Add(new($"certs/trust-bundles/{component}.crt", pem));
                }
            }
            fileEnvironment[HubEnv.SslKeyFile] = "certs/server.key";
            fileEnvironment[HubEnv.SslCertFile] = "certs/server.crt";
            fileEnvironment[HubEnv.SslClientCa] = "certs/notebooks-ca_trust.crt";
        }
        var ip = _options.ServerIp;
        return new RemoteStart
        {
            RemoteDirectory = _options.RemoteDirectory,
            ResourceName = request.ResourceName,
            PortCandidates = PortCandidates(),
            Environment = environment,
            FileEnvironment = fileEnvironment,
            Files = files,
            ServiceUrl = new RemoteServiceUrl(spec.Certs is null ? "http" : "https", ip.Contains(':') ? $"[{ip}]" : ip, ServicePath(spec)),
            Command = [.. (_options.Command.Length == 0 ? SshHostsBackendOptions.DefaultCommand : _options.Command), .. _options.Args],
        };
    }

    private static string ServicePath(ServerSpec spec)
    {
        if (spec.Env.TryGetValue(HubEnv.ServiceUrl, out var sent) && Uri.TryCreate(sent, UriKind.Absolute, out var uri))
        {
            return uri.AbsolutePath;
        }
        return spec.Env.TryGetValue("JUPYTERHUB_SERVICE_PREFIX", out var prefix) && prefix.StartsWith('/') ? prefix : "/";
    }

    /// <summary>Up to 32 ports of the configured range, in random order, for the remote host to choose from.</summary>
    private int[] PortCandidates()
    {
        var count = _options.PortRangeEnd - _options.PortRangeStart + 1;
        var ports = Enumerable.Range(_options.PortRangeStart, count).ToArray();
        Random.Shared.Shuffle(ports);
        return ports[..Math.Min(32, count)];
    }

    /// <summary>What the backend refuses in a request: an account the rule cannot make safe, variables a shell cannot name.</summary>
    private void CheckRequest(ServerSpec spec)
    {
        foreach (var host in _options.Hosts)
        {
            RemoteAccount.For(host.User ?? _options.User, spec.UserName);
        }
        var bad = spec.Env.Keys.Where(name => !PosixShell.IsVariableName(name)).Take(3).ToList();
        if (bad.Count > 0)
        {
            throw new BackendException($"The environment variable names {string.Join(", ", bad.Select(b => $"'{b}'"))} cannot be passed to a remote shell (letters, digits and '_' only).");
        }
    }

    private string KeyFileFor(SshHostOptions host) =>
        host.KeyFile ?? _options.KeyFile
        ?? throw new BackendException($"No SSH key for host {host.Name}: set Outpost:Backends:SshHosts:KeyFile, or have the hub send the user's key as auth state '{_options.AuthStateKey}'.");

    /// <summary>The user's key from the auth state, written to a 0600 file in the server's private folder; null when there is none.</summary>
    private string? WriteAuthStateKey(BackendStartRequest request)
    {
        if (_options.AuthStateKey is not { } field || request.AuthState is null || !request.AuthState.TryGetValue(field.ToLowerInvariant(), out var value))
        {
            return null;
        }
        var pem = DecodeKey(value)
            ?? throw new BackendException($"The auth state field '{field}' does not hold a private key (PEM with \\n line breaks, or base64 of the PEM).");
        var path = Path.Combine(request.WorkDirectory, KeyFileName);
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(Encoding.UTF8.GetBytes(pem));
        return path;
    }

    /// <summary>A PEM key from an auth state value: PEM whose line breaks came as <c>\n</c>, or base64 of the PEM.</summary>
    internal static string? DecodeKey(string value)
    {
        var text = value.Trim();
        if (!text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                text = Encoding.UTF8.GetString(Convert.FromBase64String(text)).Trim();
            }
            catch (FormatException)
            {
                return null;
            }
        }
        text = text.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.StartsWith("-----BEGIN", StringComparison.Ordinal) && text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) ? text + "\n" : null;
    }

    private void EnsureControlDirectory()
    {
        var folder = Ssh.ControlDirectory;
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    internal static string ControlDirectoryOf(SshHostsBackendOptions options, OutpostOptions outpost) =>
        Path.GetFullPath(options.ControlDirectory ?? Path.Combine(outpost.DataDir, "ssh"));

    private void MarkDown(string host, string reason)
    {
        if (_options.Hosts.Any(h => h.Name == host) && !_picker.IsDown(host))
        {
            Log.HostDown(logger, host, _options.HostRetrySeconds, reason);
        }
        _picker.MarkDown(host);
    }

    private static int FreeLocalPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is BackendException or SshUnreachableException or IOException)
        {
            // Best effort: what it would have removed is gone with the master, or is removed by the next stop.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SshHostsStarted, Level = LogLevel.Information, Message = "Started {Server} on host {Host} as pid {Pid}, remote port {RemotePort}, local port {LocalPort}")]
        public static partial void Started(ILogger logger, string server, string host, int pid, int remotePort, int localPort);

        [LoggerMessage(EventId = LogEvents.SshHostsHostDown, Level = LogLevel.Warning, Message = "SSH host {Host} is left out of new starts for {Seconds} s: {Reason}")]
        public static partial void HostDown(ILogger logger, string host, int seconds, string reason);

        [LoggerMessage(EventId = LogEvents.SshHostsStopped, Level = LogLevel.Information, Message = "Stopped {Resource} on host {Host}")]
        public static partial void Stopped(ILogger logger, string resource, string host);

        [LoggerMessage(EventId = LogEvents.SshHostsForwardFailed, Level = LogLevel.Warning, Message = "The forward of local port {LocalPort} to host {Host} could not be opened: {Reason}")]
        public static partial void ForwardFailed(ILogger logger, string host, int localPort, string reason);
    }
}
