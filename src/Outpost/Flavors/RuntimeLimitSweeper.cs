using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Flavors;

/// <summary>
/// Stops servers that outlived their flavor's runtime. The end date is stored at start, so a restart
/// of the Outpost does not extend anyone's runtime; each pass reads only expired servers (indexed).
/// </summary>
public sealed partial class RuntimeLimitSweeper(
    IServerStore store,
    ServerLauncher launcher,
    IOptions<OutpostOptions> options,
    TimeProvider time,
    ILogger<RuntimeLimitSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
        foreach (var record in await store.ListExpiredAsync(time.GetUtcNow(), 100, cancellationToken))
        {
            Log.Expired(logger, record.Key.ToString(), record.EndDate);
            await launcher.ExpireAsync(record, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RuntimeExpired, Level = LogLevel.Information, Message = "{Server} reached its runtime limit ({EndDate}); stopping it")]
        public static partial void Expired(ILogger logger, string server, DateTimeOffset? endDate);

        [LoggerMessage(EventId = LogEvents.RuntimeSweepFailed, Level = LogLevel.Error, Message = "Runtime-limit sweep failed")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
