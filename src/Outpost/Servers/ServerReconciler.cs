using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// Runs on the leading replica. When it starts leading: servers that still run are adopted (their
/// handles are all a backend needs) and servers whose workload vanished are marked stopped. Then,
/// every <see cref="ReplicasOptions.ReconcileSeconds"/>: unfinished stops whose replica is gone are
/// finished and starts whose replica is gone are cleaned up and reported failed. With SQLite the only
/// replica that can be gone is this process's previous life, so this happens once, after a restart.
/// Only the first pass reads running servers; later passes read servers in the middle of a start or a
/// stop (indexed by phase), so a pass costs what is changing, not how many servers run. Backends that can list
/// their workloads (<see cref="IOrphanSweeper"/>) are given the handles of all unfinished servers after the first
/// pass and then every <see cref="ReplicasOptions.OrphanSweepSeconds"/>, to find what no server owns.
/// </summary>
public sealed partial class ServerReconciler(
    IServerStore store,
    ServerRecovery recovery,
    BackendCatalog backends,
    IEnumerable<IOrphanSweeper> sweepers,
    ILeadership leadership,
    IOptions<ReplicasOptions> options,
    TimeProvider time,
    ILogger<ServerReconciler> logger) : BackgroundService
{
    private static readonly ServerPhase[] Unfinished = [ServerPhase.Pending, ServerPhase.Starting, ServerPhase.Running, ServerPhase.Stopping];
    private readonly TaskCompletionSource _adopted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this process, leading, has finished its first adoption pass (running servers checked).</summary>
    public Task Adopted => _adopted.Task;

    private static readonly ServerPhase[] InFlight = [ServerPhase.Pending, ServerPhase.Starting, ServerPhase.Stopping];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(ReconcileWhileLeaderAsync, stoppingToken);

    private async Task ReconcileWhileLeaderAsync(CancellationToken stoppingToken)
    {
        var adoptRunning = true;
        long? lastSweep = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(adoptRunning, stoppingToken);
                adoptRunning = false;
                _adopted.TrySetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ReconcileFailed(logger, "(all)", ex);
            }
            // Only after adoption: until then a running server's handle may not have been read yet.
            if (!adoptRunning && (lastSweep is null || time.GetElapsedTime(lastSweep.Value) >= TimeSpan.FromSeconds(options.Value.OrphanSweepSeconds)))
            {
                lastSweep = time.GetTimestamp();
                await SweepOrphansAsync(stoppingToken);
            }
            await Task.Delay(TimeSpan.FromSeconds(options.Value.ReconcileSeconds), time, stoppingToken);
        }
    }

    /// <summary>One pass over unfinished servers; running ones are read and checked only when <paramref name="adoptRunning"/>.</summary>
    internal async Task ReconcileAsync(bool adoptRunning, CancellationToken cancellationToken)
    {
        var records = await store.ListByPhaseAsync(adoptRunning ? Unfinished : InFlight, cancellationToken);
        var adopted = 0;
        await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (record, ct) =>
        {
            try
            {
                if (await ReconcileAsync(record, adoptRunning, ct))
                {
                    Interlocked.Increment(ref adopted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ReconcileFailed(logger, record.Key.ToString(), ex);
            }
        });
        if (adoptRunning)
        {
            Log.AdoptedAll(logger, adopted);
        }
    }

    /// <summary>Hands every sweeping backend the handles of all unfinished servers; one backend's failure does not stop the others.</summary>
    internal async Task SweepOrphansAsync(CancellationToken cancellationToken)
    {
        var sweeping = sweepers.ToList();
        if (sweeping.Count == 0)
        {
            return;
        }
        IReadOnlyCollection<BackendHandle> owned;
        try
        {
            owned = [.. (await store.ListByPhaseAsync(Unfinished, cancellationToken)).Select(r => r.Handle).OfType<BackendHandle>()];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.OrphanSweepFailed(logger, "(store)", ex);
            return;
        }
        foreach (var sweeper in sweeping)
        {
            try
            {
                await sweeper.SweepOrphansAsync(owned, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.OrphanSweepFailed(logger, (sweeper as IBackend)?.Name ?? sweeper.GetType().Name, ex);
            }
        }
    }

    /// <summary>Reconciles one server; true when it was running and still runs (adopted).</summary>
    private async Task<bool> ReconcileAsync(ServerRecord record, bool adoptRunning, CancellationToken cancellationToken)
    {
        if (record.Phase != ServerPhase.Running)
        {
            // The replica that owns the next step is still at it, unless it is gone.
            if (!await leadership.IsAliveAsync(record.Owner, cancellationToken))
            {
                Log.ReplicaGone(logger, record.Key.ToString(), record.Phase.ToString(), record.Owner ?? "(unknown)");
                await recovery.RecoverAsync(record, cancellationToken);
            }
            return false;
        }
        if (!adoptRunning || record.Handle is null || !backends.TryGet(record.Backend, out var backend))
        {
            return false;
        }
        var status = await backend.GetStatusAsync(record.Handle, cancellationToken);
        if (status.Handle is { } changed)
        {
            await store.SaveHandleAsync(record.Id, changed, cancellationToken);
        }
        if (status.State == BackendState.Exited)
        {
            await store.TransitionAsync(record.Id, ServerPhase.Running, ServerPhase.Stopped,
                new ServerChanges { ExitCode = status.ExitCode, Error = status.Message }, cancellationToken);
        }
        else
        {
            Log.Adopted(logger, record.Key.ToString(), status.State.ToString());
        }
        return status.State != BackendState.Exited;
    }

    private static partial class Log
    {
        // One line per server at Debug: after a restart with 10,000 servers, that many lines at Information
        // would fill the log and hold up start-up; AdoptedAll says how many at Information.
        [LoggerMessage(EventId = LogEvents.ServerAdopted, Level = LogLevel.Debug, Message = "Adopted {Server} ({State})")]
        public static partial void Adopted(ILogger logger, string server, string state);

        [LoggerMessage(EventId = LogEvents.ServersAdopted, Level = LogLevel.Information, Message = "Adopted {Count} running servers")]
        public static partial void AdoptedAll(ILogger logger, int count);

        [LoggerMessage(EventId = LogEvents.ReconcileFailed, Level = LogLevel.Error, Message = "Could not reconcile {Server}")]
        public static partial void ReconcileFailed(ILogger logger, string server, Exception exception);

        [LoggerMessage(EventId = LogEvents.OrphanSweepFailed, Level = LogLevel.Warning, Message = "Could not sweep for orphans of {Backend}")]
        public static partial void OrphanSweepFailed(ILogger logger, string backend, Exception exception);

        [LoggerMessage(EventId = LogEvents.ReplicaGone, Level = LogLevel.Warning, Message = "{Server} was {Phase} on replica {Replica}, which is gone; finishing for it")]
        public static partial void ReplicaGone(ILogger logger, string server, string phase, string replica);
    }
}
