using Outpost.Backends;
using Outpost.Events;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>Finishes what a replica that is gone (or this process's previous life) left half done: a stop, or a start.</summary>
public sealed partial class ServerRecovery(
    IServerStore store,
    ServerSpecCodec codec,
    BackendCatalog backends,
    ServerEvents events,
    ServerLocks locks,
    ServerStopper stopper,
    ILogger<ServerRecovery> logger)
{
    /// <summary>Finishes a stop, or cleans up a start and marks it failed; other phases are left alone.</summary>
    public Task RecoverAsync(ServerRecord record, CancellationToken cancellationToken) => record.Phase switch
    {
        ServerPhase.Stopping => stopper.StopAndRemoveAsync(record.Key, collectLogs: false, cancellationToken),
        ServerPhase.Pending or ServerPhase.Starting => FailInterruptedStartAsync(record, cancellationToken),
        _ => Task.CompletedTask,
    };

    private async Task FailInterruptedStartAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(record.Key, cancellationToken))
        {
            const string message = "The Outpost restarted while the server was starting; it was cleaned up. Please start it again.";
            if (record.Handle is { } handle && backends.TryGet(record.Backend, out var backend))
            {
                await stopper.StopQuietlyAsync(backend, handle);
            }
            if (await store.TransitionAsync(record.Id, record.Phase, ServerPhase.Failed, new ServerChanges { Error = message }, cancellationToken))
            {
                Log.RecoveredFailed(logger, record.Key.ToString());
                await events.RecordAsync(record.Key, codec.Unprotect(record.ProtectedSpec), ProgressEvent.StartFailed(message), cancellationToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerRecoveredFailed, Level = LogLevel.Warning, Message = "{Server} was starting when the Outpost stopped; cleaned up and marked failed")]
        public static partial void RecoveredFailed(ILogger logger, string server);
    }
}
