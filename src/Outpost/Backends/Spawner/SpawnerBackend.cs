using System.Text.Json;
using System.Threading.Channels;
using Outpost.Events;
using Outpost.Operations;
using Outpost.Servers;

namespace Outpost.Backends.Spawner;

/// <summary>
/// Runs servers with a JupyterHub Spawner class (KubeSpawner, BatchSpawner, a site's own) in the supervised Python
/// spawner host. The spawner's <c>get_state()</c> is stored in the handle as soon as it changes, so any host on any
/// replica can rebuild the spawner (<c>load_state</c>) to poll or stop its server after a restart.
/// </summary>
public sealed partial class SpawnerBackend : IBackend, IAsyncDisposable
{
    /// <summary>How long a cancelled start may take to give up before the Outpost stops what it left.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long a stopped server may take to be seen gone before stop is asked again with <c>now</c>.</summary>
    private static readonly TimeSpan GoneGrace = TimeSpan.FromSeconds(5);

    private readonly SpawnerBackendOptions _options;
    private readonly SpawnerHost _host;
    private readonly AuthStateCache _authStates;
    private readonly ILogger _logger;

    internal SpawnerBackend(string name, SpawnerBackendOptions options, AuthStateCache authStates, ILogger<SpawnerBackend> logger)
    {
        Name = name;
        _options = options;
        _authStates = authStates;
        _logger = logger;
        _host = new SpawnerHost(name, options, logger);
    }

    public string Name { get; }

    /// <summary>The pid of this backend's host process (started if needed); for operators and tests.</summary>
    public Task<int> HostPidAsync(CancellationToken cancellationToken) => _host.PidAsync(cancellationToken);

    /// <summary>
    /// Loads the configuration file in the host: the spawner class's name, or the error with file and line
    /// (<see cref="SpawnerCallException"/>, class <c>ConfigFileError</c>).
    /// </summary>
    public async Task<string> CheckConfigAsync(CancellationToken cancellationToken)
    {
        var result = await _host.CallAsync("check", null, TimeSpan.FromSeconds(_options.CallTimeoutSeconds), cancellationToken);
        return result.GetProperty("spawner_class").GetString() ?? "";
    }

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var server = request.ResourceName;
        var handle = new SpawnerHandle(server, HostSpec.ForStorage(request, request.Flavor), EmptyState);
        // Stored before the spawner runs: whatever a start leaves behind can be stopped from this handle.
        await context.SaveHandleAsync(handle.ToHandle(), cancellationToken);

        var notifications = Channel.CreateUnbounded<HostNotification>(new UnboundedChannelOptions { SingleReader = true });
        using var listening = _host.Listen(server, n => notifications.Writer.TryWrite(n));
        var start = _host.CallAsync("start", writer =>
        {
            writer.WriteString("server", server);
            writer.WritePropertyName("spec");
            HostSpec.WriteForStart(writer, request, request.Flavor);
        }, CancellationToken.None);
        try
        {
            while (!start.IsCompleted)
            {
                var next = notifications.Reader.WaitToReadAsync(cancellationToken).AsTask();
                await Task.WhenAny(start, next);
                cancellationToken.ThrowIfCancellationRequested();
                handle = await TakeNotificationsAsync(notifications.Reader, handle, context, cancellationToken);
            }
            var result = await start;
            handle = await TakeNotificationsAsync(notifications.Reader, handle, context, cancellationToken);
            handle = handle with { State = result.GetProperty("state").Clone() };
            var address = result.GetProperty("address").GetString() ?? "";
            return new BackendStartResult(handle.ToHandle(), address);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CancelStartAsync(server, start);
            // What the cancelled start created is in the last state it reported; the caller stops from that handle.
            await TakeNotificationsAsync(notifications.Reader, handle, context, CancellationToken.None);
            throw;
        }
        catch (SpawnerCallException ex)
        {
            await TakeNotificationsAsync(notifications.Reader, handle, context, CancellationToken.None);
            Log.CallFailed(_logger, "start", server, ex.ErrorClass, ex.Traceback);
            throw new BackendException(ex.Message, ex);
        }
        catch (SpawnerHostUnavailableException ex)
        {
            await TakeNotificationsAsync(notifications.Reader, handle, context, CancellationToken.None);
            throw new BackendException($"The spawner host ended while the server was starting ({ex.Message}); please start it again.", ex);
        }
    }

    public async Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var stored = SpawnerHandle.From(handle);
        try
        {
            var result = await PollAsync(stored, cancellationToken);
            var state = result.GetProperty("state");
            var status = result.GetProperty("status");
            var changed = JsonElement.DeepEquals(state, stored.State) ? null : (stored with { State = state.Clone() }).ToHandle();
            return status.ValueKind == JsonValueKind.Number
                ? BackendStatus.Exited(status.TryGetInt32(out var code) ? code : 1) with { Handle = changed }
                : BackendStatus.Running with { Handle = changed };
        }
        catch (SpawnerCallException ex)
        {
            Log.CallFailed(_logger, "poll", stored.Server, ex.ErrorClass, ex.Traceback);
            return BackendStatus.Unknown($"The spawner's poll failed: {ex.Message}");
        }
        catch (SpawnerHostUnavailableException ex)
        {
            return BackendStatus.Unknown(ex.Message);
        }
    }

    public async Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        var stored = SpawnerHandle.From(handle);
        try
        {
            await StopOnceAsync(stored, now: false, cancellationToken);
            if (await IsGoneAsync(stored, cancellationToken))
            {
                return;
            }
            await StopOnceAsync(stored, now: true, cancellationToken);
            if (!await IsGoneAsync(stored, cancellationToken))
            {
                throw new BackendException("The spawner's stop() returned, but its poll() says the server still runs; it was not removed.");
            }
        }
        catch (SpawnerCallException ex)
        {
            Log.CallFailed(_logger, "stop", stored.Server, ex.ErrorClass, ex.Traceback);
            throw new BackendException($"The spawner's stop failed: {ex.Message}", ex);
        }
        catch (SpawnerHostUnavailableException ex)
        {
            throw new BackendException($"The server could not be stopped: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken)
    {
        var stored = SpawnerHandle.From(handle);
        var result = await _host.CallAsync("logs", writer =>
        {
            WriteServer(writer, stored);
            writer.WriteNumber("lines", maxLines);
        }, TimeSpan.FromSeconds(_options.CallTimeoutSeconds), cancellationToken);
        return [.. result.GetProperty("lines").EnumerateArray().Select(line => line.GetString() ?? "")];
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private Task<JsonElement> PollAsync(SpawnerHandle stored, CancellationToken cancellationToken) =>
        _host.CallAsync("poll", writer => WriteServer(writer, stored), TimeSpan.FromSeconds(_options.CallTimeoutSeconds), cancellationToken);

    private Task StopOnceAsync(SpawnerHandle stored, bool now, CancellationToken cancellationToken) =>
        _host.CallAsync("stop", writer =>
        {
            WriteServer(writer, stored);
            writer.WriteBoolean("now", now);
        }, TimeSpan.FromSeconds(_options.StopTimeoutSeconds), cancellationToken);

    /// <summary>
    /// The host answers a stop when the spawner's stop() returns, without checking: ask the spawner, rebuilt from the
    /// stored state, whether the server is gone (a batch job may take a few seconds to leave the queue).
    /// </summary>
    private async Task<bool> IsGoneAsync(SpawnerHandle stored, CancellationToken cancellationToken)
    {
        if (!stored.State.EnumerateObject().Any())
        {
            return true; // nothing to ask a rebuilt spawner about
        }
        var deadline = DateTime.UtcNow + GoneGrace;
        try
        {
            while (true)
            {
                var status = (await PollAsync(stored, cancellationToken)).GetProperty("status");
                if (status.ValueKind != JsonValueKind.Null)
                {
                    return true;
                }
                if (DateTime.UtcNow >= deadline)
                {
                    return false;
                }
                await Task.Delay(500, cancellationToken);
            }
        }
        finally
        {
            await ForgetAsync(stored.Server);
        }
    }

    private async Task ForgetAsync(string server)
    {
        try
        {
            await _host.CallAsync("forget", writer => writer.WriteString("server", server), TimeSpan.FromSeconds(_options.CallTimeoutSeconds), CancellationToken.None);
        }
        catch (Exception ex) when (ex is SpawnerHostUnavailableException or SpawnerCallException)
        {
            // A host that is gone holds nothing to forget.
        }
    }

    private async Task CancelStartAsync(string server, Task<JsonElement> start)
    {
        try
        {
            await _host.CallAsync("cancel", writer => writer.WriteString("server", server), CancelGrace, CancellationToken.None);
            await start.WaitAsync(CancelGrace);
        }
        catch (Exception)
        {
            // Cancelled (the expected answer), failed, or the host is gone: the caller stops what the handle names.
        }
    }

    private static async Task<SpawnerHandle> TakeNotificationsAsync(
        ChannelReader<HostNotification> reader, SpawnerHandle handle, IStartContext context, CancellationToken cancellationToken)
    {
        while (reader.TryRead(out var notification))
        {
            if (notification.Kind == "progress")
            {
                await context.ReportAsync(ToProgressEvent(notification.Data), cancellationToken);
            }
            else if (notification.Kind == "state" && notification.Data.ValueKind == JsonValueKind.Object && !JsonElement.DeepEquals(notification.Data, handle.State))
            {
                handle = handle with { State = notification.Data };
                await context.SaveHandleAsync(handle.ToHandle(), CancellationToken.None);
            }
        }
        return handle;
    }

    private static ProgressEvent ToProgressEvent(JsonElement data)
    {
        string? Text(string name) => data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var progress = data.TryGetProperty("progress", out var p) && p.TryGetInt32(out var value) ? Math.Clamp(value, 0, 100) : 50;
        return new ProgressEvent(progress, Text("message") ?? "", Text("html_message"));
    }

    private void WriteServer(Utf8JsonWriter writer, SpawnerHandle stored)
    {
        writer.WriteString("server", stored.Server);
        writer.WritePropertyName("spec");
        HostSpec.WriteStored(writer, stored.Spec, _authStates.Get(KeyOf(stored.Spec)));
        writer.WritePropertyName("state");
        stored.State.WriteTo(writer);
    }

    private static ServerKey KeyOf(JsonElement spec) =>
        new(spec.GetProperty("hub").GetString() ?? "", spec.GetProperty("name").GetString() ?? "", spec.GetProperty("start_id").GetString() ?? "0");

    private static readonly JsonElement EmptyState = JsonDocument.Parse("{}").RootElement.Clone();

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SpawnerCallFailed, Level = LogLevel.Warning, Message = "The spawner's {Op} of {Server} raised {Class}:\n{Traceback}")]
        public static partial void CallFailed(ILogger logger, string op, string server, string @class, string traceback);
    }
}
