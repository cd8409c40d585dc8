using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Flavors;

/// <summary>
/// Stops servers that outlived their flavor's runtime. The end date is stored at start, so a restart
/// of the Outpost does not extend anyone's runtime; each pass reads only expired servers (indexed).
/// Only the leading replica sweeps.
/// </summary>
public sealed partial class RuntimeLimitSweeper(
    IServerStore store,
    ServerExpiry expiry,
    IOptions<OutpostOptions> options,
    ILeadership leadership,
    TimeProvider time,
    ILogger<RuntimeLimitSweeper> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(SweepWhileLeaderAsync, stoppingToken);

    private async Task SweepWhileLeaderAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.RuntimeSweepSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SweepFailed(logger, ex);
            }
            await Task.Delay(interval, time, stoppingToken);
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var record in await store.ListExpiredAsync(now, 100, cancellationToken))
        {
            Log.Expired(logger, record.Key.ToString(), record.EndDate);
            await expiry.ExpireAsync(record, cancellationToken);
        }
        // Failed background starts stay for the hub to see; one the hub never deletes goes after the retention time.
        var retention = TimeSpan.FromMinutes(options.Value.FailedRetentionMinutes);
        foreach (var record in await store.ListByPhaseAsync([ServerPhase.Failed], cancellationToken))
        {
            if (now - record.LastUpdate > retention)
            {
                Log.FailedRemoved(logger, record.Key.ToString(), options.Value.FailedRetentionMinutes);
                await expiry.RemoveFailedAsync(record, cancellationToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RuntimeExpired, Level = LogLevel.Information, Message = "{Server} reached its runtime limit ({EndDate}); stopping it")]
        public static partial void Expired(ILogger logger, string server, DateTimeOffset? endDate);

        [LoggerMessage(EventId = LogEvents.FailedStartRemoved, Level = LogLevel.Information, Message = "{Server} failed to start more than {Minutes} minutes ago and its hub never deleted it; removing it")]
        public static partial void FailedRemoved(ILogger logger, string server, int minutes);

        [LoggerMessage(EventId = LogEvents.RuntimeSweepFailed, Level = LogLevel.Error, Message = "Runtime-limit sweep failed")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
