using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Outpost.Operations;

namespace Outpost.Backends.Spawner;

/// <summary>A notification from the host about one server: <c>progress</c> (Data: the event) or <c>state</c> (Data: the state).</summary>
internal sealed record HostNotification(string Kind, JsonElement Data);

/// <summary>
/// One running spawner host process and its channel: JSON lines on the host's stdin and stdout (the protocol in
/// spawnerhost/README.md). Answers arrive in any order and are matched by id; when the host's stdout closes,
/// every pending call fails with <see cref="SpawnerHostUnavailableException"/>.
/// </summary>
internal sealed partial class HostConnection
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Action<string, HostNotification> _onNotification;
    private readonly ILogger _logger;
    private readonly Queue<string> _lastOutput = new();
    private readonly Task _log;
    private long _nextId;
    private volatile bool _closed;

    public HostConnection(Process process, Action<string, HostNotification> onNotification, Action<HostConnection> onClosed, ILogger logger)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _onNotification = onNotification;
        _logger = logger;
        StartedAt = Stopwatch.GetTimestamp();
        _ = Task.Run(async () =>
        {
            await ReadAnswersAsync();
            onClosed(this);
        });
        _log = Task.Run(ReadLogAsync);
    }

    /// <summary>The host's own pid (from <c>hello</c>; the process started is its keeper).</summary>
    public int Pid { get; set; }

    public long StartedAt { get; }

    public bool IsClosed => _closed;

    /// <summary>Kills the host itself (not its keeper, which stays with the servers); its channel then closes.</summary>
    public void Kill()
    {
        try
        {
            using var host = Process.GetProcessById(Pid);
            host.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>The host's last few log lines, for the message when it does not start.</summary>
    public IReadOnlyList<string> LastOutput
    {
        get
        {
            lock (_lastOutput)
            {
                return [.. _lastOutput];
            }
        }
    }

    public async Task<JsonElement> CallAsync(string op, Action<Utf8JsonWriter>? fields, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            if (_closed)
            {
                throw Ended(op);
            }
            var line = Encode(id, op, fields);
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                // Never cancelled midway: half a line would corrupt every later request.
                await _input.WriteAsync(line, CancellationToken.None);
                await _input.FlushAsync(CancellationToken.None);
            }
            catch (IOException ex)
            {
                throw new SpawnerHostUnavailableException($"The spawner host (pid {Pid}) cannot be written to: {ex.Message}", ex);
            }
            finally
            {
                _writeLock.Release();
            }
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Closes the host's stdin: it cancels what runs and exits; the servers it started keep running. With
    /// <paramref name="readLog"/>, also waits for its last log lines (a host that failed to start has no servers
    /// holding its log pipe open).
    /// </summary>
    public async Task CloseAsync(TimeSpan wait, bool readLog = false)
    {
        try
        {
            _input.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        while (!_closed && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
        if (!readLog)
        {
            return;
        }
        var left = TimeSpan.FromSeconds(Math.Max(0, (double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency));
        await Task.WhenAny(_log, Task.Delay(left));
    }

    private static ReadOnlyMemory<byte> Encode(long id, string op, Action<Utf8JsonWriter>? fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", id);
            writer.WriteString("op", op);
            fields?.Invoke(writer);
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    private async Task ReadAnswersAsync()
    {
        var output = _process.StandardOutput;
        try
        {
            while (await output.ReadLineAsync() is { } line)
            {
                if (line.Length > 0)
                {
                    Dispatch(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The pipe broke: the same as the host ending.
        }
        _closed = true;
        foreach (var (id, answer) in _pending)
        {
            answer.TrySetException(Ended(null));
            _pending.TryRemove(id, out _);
        }
    }

    private void Dispatch(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("event", out var kind))
            {
                if (root.TryGetProperty("server", out var server) && server.ValueKind == JsonValueKind.String)
                {
                    var data = root.TryGetProperty(kind.GetString() == "state" ? "state" : "data", out var d) ? d.Clone() : default;
                    _onNotification(server.GetString()!, new HostNotification(kind.GetString() ?? "", data));
                }
                return;
            }
            if (!root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id))
            {
                Log.Unmatched(_logger, Pid, Error(root).Message);
                return;
            }
            if (!_pending.TryGetValue(id, out var answer))
            {
                return; // its caller gave up (cancelled or timed out)
            }
            if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
            {
                answer.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
            }
            else
            {
                answer.TrySetException(Error(root));
            }
        }
        catch (JsonException)
        {
            Log.Unreadable(_logger, Pid, line.Length > 200 ? line[..200] : line);
        }
    }

    private static SpawnerCallException Error(JsonElement root)
    {
        root.TryGetProperty("error", out var error);
        string Field(string name) =>
            error.ValueKind == JsonValueKind.Object && error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        return new SpawnerCallException(Field("class"), Field("module"), Field("message"), Field("traceback"));
    }

    private async Task ReadLogAsync()
    {
        var error = _process.StandardError;
        try
        {
            // The host's log, and the output of whatever its spawners start without a log file of their own.
            while (await error.ReadLineAsync() is { } line)
            {
                line = line.Length > 4096 ? line[..4096] : line;
                Log.HostOutput(_logger, line);
                lock (_lastOutput)
                {
                    _lastOutput.Enqueue(line);
                    if (_lastOutput.Count > 5)
                    {
                        _lastOutput.Dequeue();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The host is gone.
        }
    }

    private SpawnerHostUnavailableException Ended(string? op) =>
        new(op is null
            ? $"The spawner host (pid {Pid}) ended before it answered."
            : $"The spawner host (pid {Pid}) has ended; '{op}' was not sent.");

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SpawnerHostOutput, Level = LogLevel.Information, Message = "{Line}")]
        public static partial void HostOutput(ILogger logger, string line);

        [LoggerMessage(EventId = LogEvents.SpawnerHostProtocol, Level = LogLevel.Warning, Message = "Spawner host {Pid} wrote a line that is not JSON: {Line}")]
        public static partial void Unreadable(ILogger logger, int pid, string line);

        [LoggerMessage(EventId = LogEvents.SpawnerHostProtocol, Level = LogLevel.Warning, Message = "Spawner host {Pid} refused a request: {Message}")]
        public static partial void Unmatched(ILogger logger, int pid, string message);
    }
}
