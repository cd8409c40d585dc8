using System.Collections.Concurrent;
using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Hosting;
using Outpost.Operations;
using Outpost.Servers;

namespace Outpost.Backends.LocalProcess;

/// <summary>
/// Runs each server as a process on the Outpost's host: the embedded default backend. Processes run
/// in their own session, so a stop signals the whole process group and an Outpost restart leaves
/// them running; the handle (pid + start time) lets a new Outpost adopt them.
/// </summary>
public sealed partial class LocalProcessBackend(
    IOptions<LocalProcessBackendOptions> options,
    IOptions<OutpostOptions> outpostOptions,
    ILogger<LocalProcessBackend> logger) : IBackend
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly ConcurrentDictionary<int, Task<int?>> _children = new();

    public string Name => BackendNames.Local;

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var ip = settings.Ip;
        var port = HostPorts.Choose(request.Spec, ip);
        var home = settings.WorkingDirectory ?? Path.Combine(Path.GetFullPath(outpostOptions.Value.DataDir), "home", ResourceNames.ForUser(request.Key.Hub, request.Spec.UserName));
        Directory.CreateDirectory(home, OwnerOnly);
        var certPaths = WriteCerts(request.Spec.Certs, request.WorkDirectory);
        var environment = LocalProcessEnvironment.Build(request.Spec, settings, home, ip, port, certPaths);
        var argv = settings.Command.Concat(settings.Args).ToArray();
        var program = ResolveProgram(argv[0], environment["PATH"]);
        var logFile = Path.Combine(request.WorkDirectory, "output.log");

        await context.ReportAsync(new ProgressEvent(30, $"Starting {Path.GetFileName(program)} on {ip}:{port}."), cancellationToken);
        int pid;
        SpawnGate gate;
        try
        {
            (pid, gate) = PosixProcess.SpawnGated(program, argv, environment, home, logFile);
        }
        catch (Win32Exception ex)
        {
            throw new BackendException($"The server program '{program}' could not be started: {ex.Message}.", ex);
        }
        LocalProcessHandle handle;
        using (gate)
        {
            _children[pid] = Task.Factory.StartNew(() => PosixProcess.WaitForExit(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            handle = new LocalProcessHandle(pid, PosixProcess.StartTicks(pid) ?? 0, ip, port, logFile);
            // The program runs only once its handle is stored. If this Outpost dies before that (or the store
            // fails), the gate closes unopened and the child exits without running it: no server is left
            // running that the leader, cleaning up after this replica, could not find.
            await context.SaveHandleAsync(handle.ToHandle(), cancellationToken);
            gate.Open();
        }
        Log.Spawned(logger, request.Key.ToString(), pid, port);

        if (settings.WaitUntilListening)
        {
            await context.ReportAsync(new ProgressEvent(50, $"Server process {pid} started; waiting for it to listen on port {port}."), cancellationToken);
            await WaitUntilListeningAsync(handle, cancellationToken);
        }
        await context.ReportAsync(new ProgressEvent(80, $"Server is listening on {ip}:{port}."), cancellationToken);
        return new BackendStartResult(handle.ToHandle(), $"{(ip.Contains(':') ? $"[{ip}]" : ip)}:{port}");
    }

    public string? Check(ServerKey key, ServerSpec spec) => HostPorts.Requested(spec, out _);

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var local = LocalProcessHandle.From(handle);
        TrimLog(local.LogFile);
        return Task.FromResult(Observe(local));
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var local = LocalProcessHandle.From(handle);
        if (!IsAlive(local))
        {
            return;
        }
        Log.Signal(logger, local.Pid, "SIGTERM");
        PosixProcess.SignalGroup(local.Pid, PosixProcess.SigTerm);
        if (await WaitForEndAsync(local, TimeSpan.FromSeconds(options.Value.StopGraceSeconds), cancellationToken))
        {
            return;
        }
        Log.Signal(logger, local.Pid, "SIGKILL");
        PosixProcess.SignalGroup(local.Pid, PosixProcess.SigKill);
        if (!await WaitForEndAsync(local, TimeSpan.FromSeconds(10), cancellationToken))
        {
            throw new BackendException($"Server process {local.Pid} did not end after SIGKILL.");
        }
    }

    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var local = LocalProcessHandle.From(handle);
        return await ReadTailAsync(local.LogFile, maxLines, cancellationToken);
    }

    private BackendStatus Observe(LocalProcessHandle local)
    {
        if (_children.TryGetValue(local.Pid, out var exit))
        {
            if (!exit.IsCompleted)
            {
                return BackendStatus.Running;
            }
            _children.TryRemove(local.Pid, out _);
            var code = exit.Result ?? 0;
            return BackendStatus.Exited(code, code switch
            {
                0 => null,
                < 0 => $"The server process was killed by signal {-code}.",
                _ => $"The server process exited with code {code}.",
            });
        }
        return IsAlive(local)
            ? BackendStatus.Running
            : BackendStatus.Exited(0, "The server process ended while this Outpost was not watching it; its exit code is unknown.");
    }

    /// <summary>Alive and still the same process (a reused pid has another start time).</summary>
    private bool IsAlive(LocalProcessHandle local)
    {
        if (_children.TryGetValue(local.Pid, out var exit))
        {
            return !exit.IsCompleted;
        }
        return PosixProcess.StartTicks(local.Pid) is { } ticks && ticks == local.StartTicks;
    }

    private async Task<bool> WaitForEndAsync(LocalProcessHandle local, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (_children.TryGetValue(local.Pid, out var exit))
        {
            // Our own child: its reaper task completes the moment it exits.
            try
            {
                await exit.WaitAsync(limit, cancellationToken);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        // Adopted after a restart: not our child, so watch /proc.
        var deadline = DateTime.UtcNow + limit;
        var delay = 5;
        while (IsAlive(local))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(delay, cancellationToken);
            delay = Math.Min(delay * 2, 100);
        }
        return true;
    }

    private async Task WaitUntilListeningAsync(LocalProcessHandle local, CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(local.Ip);
        var target = address.Equals(IPAddress.Any) ? IPAddress.Loopback : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address;
        while (true)
        {
            if (!IsAlive(local))
            {
                var status = Observe(local);
                var tail = await ReadTailAsync(local.LogFile, 20, cancellationToken);
                throw new BackendException(
                    $"The server process exited with code {status.ExitCode} before it listened on port {local.Port}. Last output:\n{string.Join('\n', tail)}");
            }
            using (var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(target, local.Port), cancellationToken);
                    if (!IsSelfConnect(socket))
                    {
                        return;
                    }
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
            }
            // A short, fixed interval: connecting to a closed local port costs microseconds, and every
            // millisecond waited here is added to the user's start.
            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>
    /// A connect to a closed local port in the ephemeral range can be given that same port as its source and
    /// "succeed" with nobody listening (a TCP self-connect); it then holds the port the server is about to bind.
    /// </summary>
    internal static bool IsSelfConnect(Socket socket) =>
        socket.LocalEndPoint is IPEndPoint local && socket.RemoteEndPoint is IPEndPoint remote && local.Equals(remote);

    private static string ResolveProgram(string command, string path)
    {
        if (command.Contains('/'))
        {
            return Path.GetFullPath(command);
        }
        foreach (var folder in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new BackendException($"The server program '{command}' was not found on PATH ({path}).");
    }

    private static Dictionary<string, string> WriteCerts(ServerCerts? certs, string directory)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        if (certs is null)
        {
            return paths;
        }
        paths["keyfile"] = WriteSecret(directory, "server.key", certs.KeyFile);
        paths["certfile"] = WriteSecret(directory, "server.crt", certs.CertFile);
        paths["cafile"] = WriteSecret(directory, "notebooks-ca_trust.crt", certs.CaFile);
        if (certs.TrustBundles.Count > 0)
        {
            // A folder of their own: a bundle named "server" or "notebooks-ca_trust" can never replace the
            // server's certificate or the client CA. Names were validated by the request reader.
            var bundles = Directory.CreateDirectory(Path.Combine(directory, "trust-bundles"), OwnerOnly).FullName;
            foreach (var (component, pem) in certs.TrustBundles)
            {
                WriteSecret(bundles, $"{component}.crt", pem);
            }
        }
        return paths;
    }

    private static string WriteSecret(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.Delete(path);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        stream.Write(Encoding.UTF8.GetBytes(content));
        return path;
    }

    private void TrimLog(string logFile)
    {
        var max = options.Value.MaxLogBytes;
        var info = new FileInfo(logFile);
        if (!info.Exists || info.Length <= max)
        {
            return;
        }
        // Keep the newest half; the writer appends (O_APPEND), so it simply continues at the new end.
        using var stream = new FileStream(logFile, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var keep = new byte[max / 2];
        stream.Seek(-keep.Length, SeekOrigin.End);
        stream.ReadExactly(keep);
        stream.SetLength(0);
        stream.Write("[older output removed]\n"u8);
        stream.Write(keep);
    }

    private static async Task<IReadOnlyList<string>> ReadTailAsync(string logFile, int maxLines, CancellationToken cancellationToken)
    {
        if (maxLines <= 0 || !File.Exists(logFile))
        {
            return [];
        }
        await using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = (int)Math.Min(stream.Length, 512 * 1024);
        stream.Seek(-length, SeekOrigin.End);
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        var lines = Encoding.UTF8.GetString(buffer).Split('\n');
        return [.. lines.Where((line, i) => i < lines.Length - 1 || line.Length > 0).TakeLast(maxLines).Select(l => l.TrimEnd('\r'))];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.LocalProcessSpawned, Level = LogLevel.Information, Message = "Spawned {Server} as pid {Pid} on port {Port}")]
        public static partial void Spawned(ILogger logger, string server, int pid, int port);

        [LoggerMessage(EventId = LogEvents.LocalProcessSignal, Level = LogLevel.Information, Message = "Sending {Signal} to process group {Pid}")]
        public static partial void Signal(ILogger logger, int pid, string signal);
    }
}
