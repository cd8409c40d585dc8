using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Events;
using Outpost.Flavors;
using Outpost.Hosting;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// Owns a server's life: start, poll and stop. Every phase change is a conditional update persisted
/// before it is announced; start and stop of one server are serialized by <see cref="ServerLocks"/>;
/// a stop that arrives during a start cancels the start, which then removes what the backend created.
/// </summary>
public sealed partial class ServerLauncher(
    IServerStore store,
    ServerSpecCodec codec,
    BackendCatalog backends,
    ServerEvents events,
    ServerLocks locks,
    ServerWorkspace workspace,
    OutpostMetrics metrics,
    FlavorUpdates flavorUpdates,
    AuthStateCache authStates,
    TimeProvider time,
    IOptions<OutpostOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ServerLauncher> logger)
{
    private readonly ConcurrentDictionary<long, StartInFlight> _startsInFlight = new();
    private readonly ConcurrentDictionary<long, Task> _background = new();

    /// <summary>How long a synchronous start waits for its last progress events to reach the hub before it answers.</summary>
    private static readonly TimeSpan SyncEventWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Stores the server and starts it. With <paramref name="waitForStart"/> the result is the service
    /// address; otherwise the start runs in the background and the result is empty.
    /// Throws <see cref="OutpostRefusal"/> when the name is taken or a limit of <paramref name="admission"/>
    /// is reached, and <see cref="BackendException"/> when the start fails; a failed synchronous start is removed,
    /// as the original Outpost does (the hub gets the 419 and nothing stays behind).
    /// </summary>
    public async Task<string> StartAsync(
        string hub, ServerSpec spec, IBackend backend, FlavorAdmission admission, IReadOnlyDictionary<string, string> authState, bool waitForStart, CancellationToken cancellationToken)
    {
        var requestedAt = time.GetTimestamp();
        spec = spec with { Flavor = admission.FlavorName, RuntimeLimit = admission.Runtime };
        var key = new ServerKey(hub, spec.Name, spec.StartId);
        using (await locks.AcquireAsync(key, cancellationToken))
        {
            var outcome = await store.InsertAsync(new ServerRecord
            {
                Key = key,
                UserName = spec.UserName,
                UserId = spec.UserId,
                Backend = backend.Name,
                Flavor = spec.Flavor,
                ResourceName = ResourceNames.ForServer(key, spec.UserName),
                ProtectedSpec = codec.Protect(spec),
            }, admission.Quota, cancellationToken);
            if (outcome.Exceeded is { } limit)
            {
                throw new OutpostRefusal(admission.Describe(limit));
            }
            if (!outcome.Succeeded)
            {
                throw new OutpostRefusal(
                    $"Server '{DisplayName(key)}' of user '{spec.UserName}' is already {outcome.Blocking!.Phase.ToString().ToLowerInvariant()} on this Outpost; stop it first.");
            }
            authStates.Set(key, authState);
            var request = new StartRun(outcome.Inserted!, spec, backend, authState, admission.Definition, Synchronous: waitForStart, requestedAt);
            request.Progress(await events.RecordAsync(key, spec, new ProgressEvent(0, "Server requested"), CancellationToken.None));
            if (!waitForStart)
            {
                await flavorUpdates.NotifyAsync(hub, spec, CancellationToken.None);
                Track(request.Record.Id, Task.Run(() => RunStartLockedAsync(request)));
                return "";
            }
            var address = await RunStartAsync(request);
            // The original relays a start's events before it answers: the user's progress page shows all of them.
            await events.WaitDeliveredAsync(request.LastEventId, SyncEventWait);
            return address;
        }
    }

    /// <summary>Observes a server: null while it runs (or starts), otherwise its exit code.</summary>
    public async Task<PollResult?> PollAsync(ServerKey key, bool collectLogs, CancellationToken cancellationToken)
    {
        var state = await store.FindPollStateAsync(key, cancellationToken);
        if (state is null)
        {
            return null;
        }
        int? status = state.Phase switch
        {
            ServerPhase.Pending or ServerPhase.Starting or ServerPhase.Stopping => null,
            ServerPhase.Stopped => state.ExitCode ?? 0,
            ServerPhase.Failed => state.ExitCode ?? 1,
            _ => await ObserveRunningAsync(key, state, cancellationToken),
        };
        var logs = collectLogs ? await CollectLogsAsync(state.Backend, state.Handle, await SecretEnvAsync(key, cancellationToken), cancellationToken) : [];
        if (state.Phase == ServerPhase.Failed && state.Error is { } error)
        {
            logs = [.. logs, error];
        }
        return new PollResult(status, logs);
    }

    /// <summary>
    /// Stops and removes a server. With <paramref name="waitForStop"/> the result holds its last logs
    /// (when asked for); otherwise the stop continues in the background. Null when the server is unknown.
    /// </summary>
    public async Task<IReadOnlyList<string>?> StopAsync(ServerKey key, bool collectLogs, bool waitForStop, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(key, cancellationToken);
        if (record is null)
        {
            return null;
        }
        if (_startsInFlight.TryGetValue(record.Id, out var start))
        {
            start.StopRequested = true;
            await start.Cancellation.CancelAsync();
        }
        if (!waitForStop)
        {
            if (record.Phase is ServerPhase.Running or ServerPhase.Starting or ServerPhase.Pending
                && await store.TransitionAsync(record.Id, record.Phase, ServerPhase.Stopping, ServerChanges.None, cancellationToken))
            {
                await flavorUpdates.NotifyAsync(key.Hub, codec.Unprotect(record.ProtectedSpec), CancellationToken.None);
            }
            Track(record.Id, Task.Run(() => StopAndRemoveAsync(key, collectLogs: false, lifetime.ApplicationStopping)));
            return [];
        }
        return await StopAndRemoveAsync(key, collectLogs, cancellationToken);
    }

    /// <summary>Stops a server whose runtime limit has passed, telling the hub why.</summary>
    internal async Task ExpireAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        var spec = codec.Unprotect(record.ProtectedSpec);
        var runtime = spec.RuntimeLimit is { } limit ? $" of {limit}" : "";
        await events.RecordAsync(record.Key, spec, new ProgressEvent(100, $"The server reached its runtime limit{runtime} and was stopped."), cancellationToken);
        await StopAndRemoveAsync(record.Key, collectLogs: false, cancellationToken);
    }

    /// <summary>Removes a server whose start failed (nothing of it runs), unless it has changed meanwhile.</summary>
    internal async Task RemoveFailedAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(record.Key, cancellationToken))
        {
            if (await store.FindByIdAsync(record.Id, cancellationToken) is not { Phase: ServerPhase.Failed } current)
            {
                return;
            }
            await store.DeleteAsync(current.Id, CancellationToken.None);
            workspace.Remove(current);
            authStates.Remove(current.Key);
        }
    }

    /// <summary>Finishes a stop or cleans up a start that an earlier Outpost process left unfinished.</summary>
    internal Task RecoverAsync(ServerRecord record, CancellationToken cancellationToken) => record.Phase switch
    {
        ServerPhase.Stopping => StopAndRemoveAsync(record.Key, collectLogs: false, cancellationToken),
        ServerPhase.Pending or ServerPhase.Starting => FailInterruptedStartAsync(record, cancellationToken),
        _ => Task.CompletedTask,
    };

    /// <summary>Waits for background starts and stops (used by tests and graceful shutdown).</summary>
    internal Task WhenBackgroundIdleAsync() => Task.WhenAll(_background.Values);

    private async Task RunStartLockedAsync(StartRun run)
    {
        try
        {
            using (await locks.AcquireAsync(run.Record.Key, lifetime.ApplicationStopping))
            {
                await RunStartAsync(run);
            }
        }
        catch (Exception ex)
        {
            // The failure is already persisted and announced; nobody awaits a background start.
            Log.BackgroundStartEnded(logger, run.Record.Key.ToString(), ex.Message);
        }
    }

    private async Task<string> RunStartAsync(StartRun run)
    {
        var (record, spec, backend) = (run.Record, run.Spec, run.Backend);
        var key = record.Key;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        var timeout = TimeSpan.FromSeconds(options.Value.StartTimeoutSeconds);
        cancellation.CancelAfter(timeout);
        var inFlight = new StartInFlight(cancellation);
        _startsInFlight[record.Id] = inFlight;
        var context = new StartContext(store, events, run);
        long? backendCalledAt = null;
        try
        {
            if (!await store.TransitionAsync(record.Id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None, CancellationToken.None))
            {
                throw new OperationCanceledException("stopped before it started");
            }
            Log.Starting(logger, key.ToString(), backend.Name);
            var workDirectory = workspace.Create(record);
            metrics.StartQueued(backend.Name, time.GetElapsedTime(run.RequestedAt));
            backendCalledAt = time.GetTimestamp();
            BackendStartResult result;
            try
            {
                result = await backend.StartAsync(
                    new BackendStartRequest(key, spec, record.ResourceName, workDirectory, run.AuthState, run.Flavor), context, cancellation.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.BackendError(backend.Name, BackendErrorKind.Start);
                throw;
            }
            var changes = new ServerChanges
            {
                Handle = result.Handle,
                ServiceAddress = result.ServiceAddress,
                EndDate = spec.RuntimeLimit is { } runtime ? time.GetUtcNow() + runtime : null,
            };
            if (!await store.TransitionAsync(record.Id, ServerPhase.Starting, ServerPhase.Running, changes, CancellationToken.None))
            {
                // A stop arrived just as the backend finished: the stop owns cleanup from here.
                await StopQuietlyAsync(backend, result.Handle);
                throw new OperationCanceledException("stopped while starting");
            }
            metrics.StartFinished(backend.Name, StartOutcome.Succeeded, Since(backendCalledAt));
            Log.Started(logger, key.ToString(), result.ServiceAddress);
            run.Progress(await events.RecordAsync(key, spec, new ProgressEvent(90, "Server started on the Outpost."), CancellationToken.None));
            await flavorUpdates.NotifyAsync(key.Hub, spec, CancellationToken.None);
            return result.ServiceAddress;
        }
        catch (Exception ex)
        {
            if (!inFlight.StopRequested && await WasStoppedElsewhereAsync(record.Id))
            {
                // Another replica stopped it (and killed what it found): a stop, not a failure.
                inFlight.StopRequested = true;
                ex = new OperationCanceledException("stopped on another replica", ex);
            }
            var timedOut = ex is OperationCanceledException && !lifetime.ApplicationStopping.IsCancellationRequested
                && cancellation.IsCancellationRequested && !inFlight.StopRequested;
            var message = ex switch
            {
                OperationCanceledException when lifetime.ApplicationStopping.IsCancellationRequested => "The Outpost shut down while the server was starting.",
                OperationCanceledException when timedOut => $"The server did not start within {timeout.TotalSeconds:0} s.",
                OperationCanceledException => "The start was cancelled because the server was stopped.",
                BackendException or OutpostRefusal => ex.Message,
                _ => $"The server could not be started: {ex.Message}",
            };
            // A backend's message may quote the server's output, which may print its own token.
            message = SecretRedactor.Redact(message, spec.Env);
            Log.StartFailed(logger, key.ToString(), message, ex is BackendException or OperationCanceledException ? null : ex);
            if (context.Handle is { } handle)
            {
                await StopQuietlyAsync(backend, handle);
            }
            var failed = await store.TransitionAsync(record.Id, ServerPhase.Starting, ServerPhase.Failed, new ServerChanges { Error = message }, CancellationToken.None);
            authStates.Remove(key);
            var outcome = timedOut ? StartOutcome.TimedOut : ex is OperationCanceledException ? StartOutcome.Cancelled : StartOutcome.Failed;
            metrics.StartFinished(backend.Name, outcome, Since(backendCalledAt));
            if (failed && run.Synchronous)
            {
                // The hub gets the 419 now and never polls this start: remove it, as the original does.
                await store.DeleteAsync(record.Id, CancellationToken.None);
                workspace.Remove(record);
            }
            if (!run.Synchronous && !inFlight.StopRequested)
            {
                await events.RecordAsync(key, spec, FailedEvent(message), CancellationToken.None);
            }
            await flavorUpdates.NotifyAsync(key.Hub, spec, CancellationToken.None);
            throw new BackendException(message, ex); // the redacted message, never the raw one
        }
        finally
        {
            _startsInFlight.TryRemove(record.Id, out _);
        }
    }

    /// <summary>Whether the stored server was removed or is stopping: a stop handled by another replica (or request) won.</summary>
    private async Task<bool> WasStoppedElsewhereAsync(long id)
    {
        try
        {
            return await store.FindByIdAsync(id, CancellationToken.None) is null or { Phase: ServerPhase.Stopping };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<string>> StopAndRemoveAsync(ServerKey key, bool collectLogs, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(key, cancellationToken))
        {
            var record = await store.FindAsync(key, cancellationToken);
            // Another replica may move the server meanwhile (e.g. its start reaching Running with a new
            // handle): decide on what is stored once this replica's Stopping has won, never on a stale read.
            while (record is { Phase: ServerPhase.Running or ServerPhase.Starting or ServerPhase.Pending }
                && !await store.TransitionAsync(record.Id, record.Phase, ServerPhase.Stopping, ServerChanges.None, cancellationToken))
            {
                record = await store.FindAsync(key, cancellationToken);
            }
            if (record is null)
            {
                return [];
            }
            record = await store.FindByIdAsync(record.Id, cancellationToken) ?? record;
            IReadOnlyList<string> logs = collectLogs
                ? await CollectLogsAsync(record.Backend, record.Handle, codec.Unprotect(record.ProtectedSpec).Env, cancellationToken)
                : [];
            if (record.Handle is { } handle && backends.TryGet(record.Backend, out var backend))
            {
                try
                {
                    await backend.StopAsync(handle, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    metrics.BackendError(backend.Name, BackendErrorKind.Stop);
                    throw;
                }
            }
            await store.DeleteAsync(record.Id, CancellationToken.None);
            workspace.Remove(record);
            authStates.Remove(key);
            Log.Stopped(logger, key.ToString());
            await flavorUpdates.NotifyAsync(key.Hub, codec.Unprotect(record.ProtectedSpec), CancellationToken.None);
            return logs;
        }
    }

    private async Task FailInterruptedStartAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(record.Key, cancellationToken))
        {
            const string message = "The Outpost restarted while the server was starting; it was cleaned up. Please start it again.";
            if (record.Handle is { } handle && backends.TryGet(record.Backend, out var backend))
            {
                await StopQuietlyAsync(backend, handle);
            }
            if (await store.TransitionAsync(record.Id, record.Phase, ServerPhase.Failed, new ServerChanges { Error = message }, cancellationToken))
            {
                Log.RecoveredFailed(logger, record.Key.ToString());
                await events.RecordAsync(record.Key, codec.Unprotect(record.ProtectedSpec), FailedEvent(message), cancellationToken);
            }
        }
    }

    private async Task<int?> ObserveRunningAsync(ServerKey key, ServerPollState state, CancellationToken cancellationToken)
    {
        if (state.Handle is not { } handle || !backends.TryGet(state.Backend, out var backend))
        {
            return null;
        }
        BackendStatus status;
        try
        {
            status = await backend.GetStatusAsync(handle, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.Status);
            throw;
        }
        if (status.State == BackendState.Unknown)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.StatusUnknown);
        }
        if (status.Handle is { } changed)
        {
            await store.SaveHandleAsync(state.Id, changed, cancellationToken);
        }
        if (status.State != BackendState.Exited)
        {
            return null;
        }
        var message = status.Message;
        if (message is not null && await store.FindByIdAsync(state.Id, cancellationToken) is { } record)
        {
            // Rare (once per exit), so the spec is decrypted only here: a backend's message may quote the output.
            message = SecretRedactor.Redact(message, codec.Unprotect(record.ProtectedSpec).Env);
        }
        var changes = new ServerChanges { ExitCode = status.ExitCode, Error = message };
        if (await store.TransitionAsync(state.Id, ServerPhase.Running, ServerPhase.Stopped, changes, cancellationToken))
        {
            Log.Exited(logger, key.ToString(), status.ExitCode);
        }
        return status.ExitCode;
    }

    /// <summary>The server's environment, whose secret values are kept out of the logs it returns.</summary>
    private async Task<IReadOnlyDictionary<string, string>> SecretEnvAsync(ServerKey key, CancellationToken cancellationToken) =>
        await store.FindAsync(key, cancellationToken) is { } record ? codec.Unprotect(record.ProtectedSpec).Env : new Dictionary<string, string>();

    private async Task<IReadOnlyList<string>> CollectLogsAsync(
        string backendName, BackendHandle? handle, IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        if (handle is null || !backends.TryGet(backendName, out var backend))
        {
            return [];
        }
        try
        {
            var lines = await backend.GetLogsAsync(handle, options.Value.LogLines, cancellationToken);
            return [.. lines.Select(line => SecretRedactor.Redact(line, env))];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.Logs);
            return [$"Logs are not available: {ex.Message}"];
        }
    }

    private async Task StopQuietlyAsync(IBackend backend, BackendHandle handle)
    {
        try
        {
            await backend.StopAsync(handle, CancellationToken.None);
        }
        catch (Exception ex)
        {
            metrics.BackendError(backend.Name, BackendErrorKind.Stop);
            Log.StopFailed(logger, ex);
        }
    }

    /// <summary>The time since <paramref name="timestamp"/> (of <see cref="TimeProvider.GetTimestamp"/>), or null when there is none.</summary>
    private TimeSpan? Since(long? timestamp) => timestamp is { } at ? time.GetElapsedTime(at) : null;

    private void Track(long id, Task task)
    {
        _background[id] = task;
        task.ContinueWith(t => _background.TryRemove(new KeyValuePair<long, Task>(id, t)), TaskScheduler.Default);
    }

    private static ProgressEvent FailedEvent(string message) =>
        new(100, message, $"<details><summary>Outpost could not start the server: {System.Net.WebUtility.HtmlEncode(message)}</summary></details>", Failed: true);

    private static string DisplayName(ServerKey key) => key.Name.Length == 0 ? "(default)" : key.Name;

    /// <summary>A start that is running, and whether a stop asked it to give up.</summary>
    private sealed class StartInFlight(CancellationTokenSource cancellation)
    {
        public CancellationTokenSource Cancellation { get; } = cancellation;

        public volatile bool StopRequested;
    }

    /// <summary>One start: what it starts, with what, when it was asked for (a timestamp), and the last progress event it recorded.</summary>
    private sealed record StartRun(
        ServerRecord Record, ServerSpec Spec, IBackend Backend, IReadOnlyDictionary<string, string> AuthState, System.Text.Json.Nodes.JsonObject? Flavor, bool Synchronous,
        long RequestedAt)
    {
        public long? LastEventId { get; private set; }

        public void Progress(long? eventId) => LastEventId = eventId ?? LastEventId;
    }

    /// <summary>What a backend may do while its start runs.</summary>
    private sealed class StartContext(IServerStore store, ServerEvents events, StartRun run) : IStartContext
    {
        public BackendHandle? Handle { get; private set; }

        public async ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken) =>
            run.Progress(await events.RecordAsync(run.Record.Key, run.Spec, progressEvent with { Failed = false }, cancellationToken));

        public async ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken)
        {
            Handle = handle;
            await store.SaveHandleAsync(run.Record.Id, handle, CancellationToken.None);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerStarting, Level = LogLevel.Information, Message = "Starting {Server} with backend {Backend}")]
        public static partial void Starting(ILogger logger, string server, string backend);

        [LoggerMessage(EventId = LogEvents.ServerStarted, Level = LogLevel.Information, Message = "Started {Server} at '{Address}'")]
        public static partial void Started(ILogger logger, string server, string address);

        [LoggerMessage(EventId = LogEvents.ServerStartFailed, Level = LogLevel.Warning, Message = "Start of {Server} failed: {Reason}")]
        public static partial void StartFailed(ILogger logger, string server, string reason, Exception? exception);

        [LoggerMessage(EventId = LogEvents.ServerStartFailed + 10, Level = LogLevel.Debug, Message = "Background start of {Server} ended: {Reason}")]
        public static partial void BackgroundStartEnded(ILogger logger, string server, string reason);

        [LoggerMessage(EventId = LogEvents.ServerStopped, Level = LogLevel.Information, Message = "Stopped and removed {Server}")]
        public static partial void Stopped(ILogger logger, string server);

        [LoggerMessage(EventId = LogEvents.ServerStopFailed, Level = LogLevel.Warning, Message = "Cleaning up after a failed start did not succeed")]
        public static partial void StopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = LogEvents.ServerExited, Level = LogLevel.Information, Message = "{Server} exited with code {ExitCode}")]
        public static partial void Exited(ILogger logger, string server, int exitCode);

        [LoggerMessage(EventId = LogEvents.ServerRecoveredFailed, Level = LogLevel.Warning, Message = "{Server} was starting when the Outpost stopped; cleaned up and marked failed")]
        public static partial void RecoveredFailed(ILogger logger, string server);
    }
}

/// <summary>The answer to a poll: null status while running, else the exit code.</summary>
public sealed record PollResult(int? Status, IReadOnlyList<string> Logs);
