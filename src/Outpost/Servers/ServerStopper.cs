using Outpost.Backends;
using Outpost.Flavors;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// Stops servers: moves a server to Stopping (a conditional update, so one stop wins), cancels its start if one
/// runs here, stops its workload and removes it. Stops of one server are serialized with its start by <see cref="ServerLocks"/>.
/// </summary>
public sealed partial class ServerStopper(
    IServerStore store,
    ServerSpecCodec codec,
    BackendCatalog backends,
    ServerLocks locks,
    StartsInFlight starts,
    ServerLogs logs,
    ServerRemoval removal,
    FlavorUpdates flavorUpdates,
    OutpostMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<ServerStopper> logger)
{
    /// <summary>
    /// Stops and removes a server. With <paramref name="waitForStop"/> the result holds its last logs
    /// (when asked for); otherwise the stop continues in the background. Null when the server is unknown.
    /// Throws <see cref="BackendException"/> when the backend cannot stop it.
    /// </summary>
    public async Task<IReadOnlyList<string>?> StopAsync(ServerKey key, bool collectLogs, bool waitForStop, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(key, cancellationToken);
        if (record is null)
        {
            return null;
        }
        await starts.CancelAsync(record.Id);
        if (!waitForStop)
        {
            if (record.Phase is ServerPhase.Running or ServerPhase.Starting or ServerPhase.Pending
                && await store.TransitionAsync(record.Id, record.Phase, ServerPhase.Stopping, ServerChanges.None, cancellationToken))
            {
                await flavorUpdates.NotifyAsync(key.Hub, codec.Unprotect(record.ProtectedSpec), CancellationToken.None);
            }
            // Nobody awaits it: what it finds is persisted, and the reconciler finishes it after a restart.
            _ = Task.Run(() => StopAndRemoveAsync(key, collectLogs: false, lifetime.ApplicationStopping));
            return [];
        }
        return await StopAndRemoveAsync(key, collectLogs, cancellationToken);
    }

    /// <summary>Stops and removes the server <paramref name="key"/> under its lock; its logs first when asked for.</summary>
    internal async Task<IReadOnlyList<string>> StopAndRemoveAsync(ServerKey key, bool collectLogs, CancellationToken cancellationToken)
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
            IReadOnlyList<string> lines = collectLogs
                ? await logs.CollectAsync(record.Backend, record.Handle, codec.Unprotect(record.ProtectedSpec).Env, cancellationToken)
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
            await removal.RemoveAsync(record);
            Log.Stopped(logger, key.ToString());
            await flavorUpdates.NotifyAsync(key.Hub, codec.Unprotect(record.ProtectedSpec), CancellationToken.None);
            return lines;
        }
    }

    /// <summary>Stops what a failed or interrupted start left running; a failure is counted and logged, never thrown.</summary>
    internal async Task StopQuietlyAsync(IBackend backend, BackendHandle handle)
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

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerStopped, Level = LogLevel.Information, Message = "Stopped and removed {Server}")]
        public static partial void Stopped(ILogger logger, string server);

        [LoggerMessage(EventId = LogEvents.ServerStopFailed, Level = LogLevel.Warning, Message = "Cleaning up after a failed start did not succeed")]
        public static partial void StopFailed(ILogger logger, Exception exception);
    }
}
