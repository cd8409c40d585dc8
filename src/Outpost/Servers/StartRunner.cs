using System.Text.Json.Nodes;
using Outpost.Backends;
using Outpost.Events;
using Outpost.Flavors;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// Runs one stored start against its backend: Pending → Starting → Running, or Failed with the reason recorded,
/// announced and (for a synchronous start) the server removed. Each transition is a conditional update persisted
/// before it is announced; a stop that arrives meanwhile cancels the start (<see cref="StartsInFlight"/>), which
/// then removes what the backend created. The caller holds the server's lock.
/// </summary>
public sealed partial class StartRunner(
    IServerStore store,
    ServerEvents events,
    ServerWorkspace workspace,
    StartsInFlight starts,
    ServerStopper stopper,
    ServerRemoval removal,
    FlavorUpdates flavorUpdates,
    OutpostMetrics metrics,
    TimeProvider time,
    ILogger<StartRunner> logger)
{
    /// <summary>The service address; throws <see cref="BackendException"/> with a redacted message when the start fails.</summary>
    internal async Task<string> RunAsync(Run run)
    {
        var (record, spec, backend) = (run.Record, run.Spec, run.Backend);
        var key = record.Key;
        var inFlight = starts.Begin(record.Id);
        using var cancellation = inFlight.Cancellation; // fires on a stop, at the start's deadline or at shutdown
        var context = new Context(store, events, run);
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
                await stopper.StopQuietlyAsync(backend, result.Handle);
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
            var timedOut = ex is OperationCanceledException && inFlight.TimedOut;
            var message = ex switch
            {
                OperationCanceledException when inFlight.ShuttingDown => "The Outpost shut down while the server was starting.",
                OperationCanceledException when timedOut => $"The server did not start within {starts.Timeout.TotalSeconds:0} s.",
                OperationCanceledException => "The start was cancelled because the server was stopped.",
                BackendException or OutpostRefusal => ex.Message,
                _ => $"The server could not be started: {ex.Message}",
            };
            // A backend's message may quote the server's output, which may print its own token.
            message = SecretRedactor.Redact(message, spec.Env);
            Log.StartFailed(logger, key.ToString(), message, ex is BackendException or OperationCanceledException ? null : ex);
            if (context.Handle is { } handle)
            {
                await stopper.StopQuietlyAsync(backend, handle);
            }
            var failed = await store.TransitionAsync(record.Id, ServerPhase.Starting, ServerPhase.Failed, new ServerChanges { Error = message }, CancellationToken.None);
            var outcome = timedOut ? StartOutcome.TimedOut : ex is OperationCanceledException ? StartOutcome.Cancelled : StartOutcome.Failed;
            metrics.StartFinished(backend.Name, outcome, Since(backendCalledAt));
            await removal.ForgetFailedStartAsync(record, remove: failed && run.Synchronous);
            if (!run.Synchronous && !inFlight.StopRequested)
            {
                await events.RecordAsync(key, spec, ProgressEvent.StartFailed(message), CancellationToken.None);
            }
            await flavorUpdates.NotifyAsync(key.Hub, spec, CancellationToken.None);
            throw new BackendException(message, ex); // the redacted message, never the raw one
        }
        finally
        {
            starts.End(record.Id);
            run.Gathering?.Dispose();
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

    /// <summary>The time since <paramref name="timestamp"/> (of <see cref="TimeProvider.GetTimestamp"/>), or null when there is none.</summary>
    private TimeSpan? Since(long? timestamp) => timestamp is { } at ? time.GetElapsedTime(at) : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerStarting, Level = LogLevel.Information, Message = "Starting {Server} with backend {Backend}")]
        public static partial void Starting(ILogger logger, string server, string backend);

        [LoggerMessage(EventId = LogEvents.ServerStarted, Level = LogLevel.Information, Message = "Started {Server} at '{Address}'")]
        public static partial void Started(ILogger logger, string server, string address);

        [LoggerMessage(EventId = LogEvents.ServerStartFailed, Level = LogLevel.Warning, Message = "Start of {Server} failed: {Reason}")]
        public static partial void StartFailed(ILogger logger, string server, string reason, Exception? exception);
    }

    /// <summary>One stored start: what it starts, with what, when it was asked for (a timestamp), and the last progress event it recorded.</summary>
    internal sealed record Run(
        ServerRecord Record, ServerSpec Spec, IBackend Backend, IReadOnlyDictionary<string, string> AuthState, JsonObject? Flavor, bool Synchronous, long RequestedAt)
    {
        public long? LastEventId { get; private set; }

        /// <summary>Keeps the start's events back until it ends (see <see cref="ServerEvents.GatherStart"/>); disposed when it does.</summary>
        public IDisposable? Gathering { get; init; }

        public void Progress(long? eventId) => LastEventId = eventId ?? LastEventId;
    }

    /// <summary>What a backend may do while its start runs: report progress and persist its handle as soon as it has one.</summary>
    private sealed class Context(IServerStore store, ServerEvents events, Run run) : IStartContext
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
}
