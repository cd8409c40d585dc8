using Outpost.Backends;
using Outpost.Hosting;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>
/// After a (re)start of the Outpost: servers that still run are adopted (their handles are all a
/// backend needs), servers whose workload vanished are marked stopped, unfinished stops are finished
/// and starts that were in flight are cleaned up and reported failed.
/// </summary>
public sealed partial class ServerReconciler(
    IServerStore store,
    ServerLauncher launcher,
    BackendCatalog backends,
    ILogger<ServerReconciler> logger) : BackgroundService
{
    private static readonly ServerPhase[] Unfinished = [ServerPhase.Pending, ServerPhase.Starting, ServerPhase.Running, ServerPhase.Stopping];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<ServerRecord> records;
        try
        {
            records = await store.ListByPhaseAsync(Unfinished, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReconcileFailed(logger, "(all)", ex);
            return;
        }
        await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken }, async (record, ct) =>
        {
            try
            {
                await ReconcileAsync(record, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ReconcileFailed(logger, record.Key.ToString(), ex);
            }
        });
    }

    private async Task ReconcileAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        if (record.Phase != ServerPhase.Running)
        {
            await launcher.RecoverAsync(record, cancellationToken);
            return;
        }
        if (record.Handle is null || !backends.TryGet(record.Backend, out var backend))
        {
            return;
        }
        var status = await backend.GetStatusAsync(record.Handle, cancellationToken);
        if (status.State == BackendState.Exited)
        {
            await store.TransitionAsync(record.Id, ServerPhase.Running, ServerPhase.Stopped,
                new ServerChanges { ExitCode = status.ExitCode, Error = status.Message }, cancellationToken);
        }
        else
        {
            Log.Adopted(logger, record.Key.ToString(), status.State.ToString());
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ServerAdopted, Level = LogLevel.Information, Message = "Adopted {Server} ({State})")]
        public static partial void Adopted(ILogger logger, string server, string state);

        [LoggerMessage(EventId = LogEvents.ReconcileFailed, Level = LogLevel.Error, Message = "Could not reconcile {Server}")]
        public static partial void ReconcileFailed(ILogger logger, string server, Exception exception);
    }
}
