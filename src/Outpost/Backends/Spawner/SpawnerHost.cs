using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Outpost.Hosting;
using Outpost.Operations;

namespace Outpost.Backends.Spawner;

/// <summary>
/// Supervises one spawner host process for one backend: starts it on first use, starts it again when it dies (at
/// once after a long life, else after a wait that doubles up to <see cref="SpawnerBackendOptions.MaxRestartDelaySeconds"/>),
/// and routes its notifications to whoever listens for a server. Calls pending when it dies fail with
/// <see cref="SpawnerHostUnavailableException"/>; the servers it started keep running and are rebuilt by the
/// next host from their stored state.
/// </summary>
internal sealed partial class SpawnerHost(string backend, SpawnerBackendOptions options, ILogger logger) : IAsyncDisposable
{
    /// <summary>Variables the host inherits from the Outpost; everything else (the Outpost's secrets among it) stays behind.</summary>
    private static readonly string[] Inherited =
        ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"];

    private static readonly TimeSpan HealthyLife = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Action<HostNotification>> _listeners = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task<HostConnection>? _connection;
    private TimeSpan _restartDelay = TimeSpan.Zero;
    private bool _disposed;

    /// <summary>Sends one request and returns its <c>result</c>; throws <see cref="SpawnerCallException"/> when the spawner failed it.</summary>
    public async Task<JsonElement> CallAsync(string op, Action<Utf8JsonWriter>? fields, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        return await connection.CallAsync(op, fields, cancellationToken);
    }

    /// <summary>As the call without a limit, failing with <see cref="SpawnerHostUnavailableException"/> after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> CallAsync(string op, Action<Utf8JsonWriter>? fields, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var connection = await ConnectAsync(limit.Token);
        try
        {
            return await connection.CallAsync(op, fields, limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!await AnswersAsync(connection))
            {
                // Deaf to a ping too: its event loop is blocked (a spawner that blocks instead of awaiting).
                // Starting another loses no server: they run on, their state is stored.
                Log.Hung(logger, backend, connection.Pid, timeout.TotalSeconds);
                connection.Kill();
            }
            throw new SpawnerHostUnavailableException($"The spawner host did not answer '{op}' within {timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Whether the host answers a ping within a few seconds (a spawner call may be slow; the host must not be).</summary>
    private static async Task<bool> AnswersAsync(HostConnection connection)
    {
        if (connection.IsClosed)
        {
            return true; // gone already; it is started again anyway
        }
        try
        {
            using var limit = new CancellationTokenSource(PingTimeout);
            await connection.CallAsync("hello", null, limit.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is SpawnerHostUnavailableException or SpawnerCallException)
        {
            return true;
        }
    }

    /// <summary>The pid of the running host (starting it if needed).</summary>
    public async Task<int> PidAsync(CancellationToken cancellationToken) => (await ConnectAsync(cancellationToken)).Pid;

    /// <summary>Receives the host's notifications about <paramref name="server"/> until disposed.</summary>
    public IDisposable Listen(string server, Action<HostNotification> listener)
    {
        _listeners[server] = listener;
        return new Subscription(() => _listeners.TryRemove(new KeyValuePair<string, Action<HostNotification>>(server, listener)));
    }

    public async ValueTask DisposeAsync()
    {
        Task<HostConnection>? connection;
        lock (_gate)
        {
            _disposed = true;
            connection = _connection;
        }
        if (connection is { IsCompletedSuccessfully: true })
        {
            await connection.Result.CloseAsync(TimeSpan.FromSeconds(10));
        }
    }

    private Task<HostConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        Task<HostConnection> connection;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is null || _connection.IsFaulted || _connection is { IsCompletedSuccessfully: true, Result.IsClosed: true })
            {
                _connection = StartAsync(_restartDelay);
            }
            connection = _connection;
        }
        return connection.WaitAsync(cancellationToken);
    }

    private async Task<HostConnection> StartAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }
        Process process;
        try
        {
            process = Process.Start(StartInfo()) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex)
        {
            GrowDelay();
            throw new SpawnerHostUnavailableException($"The spawner host could not be started with '{options.Python}': {ex.Message}", ex);
        }
        var connection = new HostConnection(process, Dispatch, Closed, logger);
        try
        {
            using var limit = new CancellationTokenSource(HelloTimeout);
            var hello = await connection.CallAsync("hello", null, limit.Token);
            if (!hello.TryGetProperty("protocol", out var protocol) || protocol.GetInt32() != 1)
            {
                throw new SpawnerHostUnavailableException($"The spawner host at '{options.ResolvedHostPath}' speaks protocol {hello.GetRawText()}, not 1.");
            }
            connection.Pid = hello.GetProperty("pid").GetInt32();
            Log.Started(logger, backend, connection.Pid, hello.TryGetProperty("jupyterhub", out var version) ? version.GetString() ?? "?" : "?");
            return connection;
        }
        catch (Exception ex)
        {
            GrowDelay();
            await connection.CloseAsync(TimeSpan.FromSeconds(2), readLog: true);
            var reason = ex switch
            {
                OperationCanceledException => $"no answer within {HelloTimeout.TotalSeconds:0} s",
                SpawnerHostUnavailableException when !connection.IsClosed => ex.Message,
                _ => "it ended before it answered",
            };
            var output = connection.LastOutput is { Count: > 0 } lines ? $"; its last output: {string.Join(" | ", lines)}" : "";
            throw new SpawnerHostUnavailableException($"The spawner host did not start ({options.Python} -m outpost_spawnerhost): {reason}{output}", ex);
        }
    }

    private ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(options.Python)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in (string[])["-m", "outpost_spawnerhost", "--config", options.ConfigFile, "--log-level", options.LogLevel.ToUpperInvariant()])
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Clear();
        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }
        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }
        info.Environment["PYTHONPATH"] = string.Join(':', [options.ResolvedHostPath, .. options.PythonPath,
            .. options.Environment.TryGetValue("PYTHONPATH", out var extra) ? [extra] : Array.Empty<string>()]);
        info.Environment["PYTHONUNBUFFERED"] = "1";
        return info;
    }

    private void Dispatch(string server, HostNotification notification)
    {
        if (_listeners.TryGetValue(server, out var listener))
        {
            listener(notification);
        }
    }

    private void Closed(HostConnection connection)
    {
        lock (_gate)
        {
            var lived = Stopwatch.GetElapsedTime(connection.StartedAt);
            _restartDelay = lived >= HealthyLife ? TimeSpan.Zero : NextDelay(_restartDelay);
            if (_disposed)
            {
                return;
            }
            Log.Ended(logger, backend, connection.Pid, _restartDelay.TotalSeconds);
            // Started again at once (after the wait), so the next call finds it ready.
            if (_connection is { IsCompletedSuccessfully: true } current && current.Result == connection)
            {
                _connection = StartAsync(_restartDelay);
                _connection.ContinueWith(t => Log.RestartFailed(logger, backend, t.Exception!.InnerException!.Message),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    private void GrowDelay()
    {
        lock (_gate)
        {
            _restartDelay = NextDelay(_restartDelay);
        }
    }

    private TimeSpan NextDelay(TimeSpan previous) =>
        TimeSpan.FromSeconds(Math.Min(Math.Max(1, previous.TotalSeconds * 2), options.MaxRestartDelaySeconds));

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SpawnerHostStarted, Level = LogLevel.Information, Message = "Spawner host for backend {Backend} started: pid {Pid}, JupyterHub {Version}")]
        public static partial void Started(ILogger logger, string backend, int pid, string version);

        [LoggerMessage(EventId = LogEvents.SpawnerHostEnded, Level = LogLevel.Warning, Message = "Spawner host for backend {Backend} (pid {Pid}) ended; starting it again in {Delay} s")]
        public static partial void Ended(ILogger logger, string backend, int pid, double delay);

        [LoggerMessage(EventId = LogEvents.SpawnerHostHung, Level = LogLevel.Error, Message = "Spawner host for backend {Backend} (pid {Pid}) did not answer a call within {Seconds} s, nor a ping; its event loop is blocked, so it is killed and started again")]
        public static partial void Hung(ILogger logger, string backend, int pid, double seconds);

        [LoggerMessage(EventId = LogEvents.SpawnerHostRestartFailed, Level = LogLevel.Error, Message = "Spawner host for backend {Backend} could not be started again: {Reason}")]
        public static partial void RestartFailed(ILogger logger, string backend, string reason);
    }
}
