using Microsoft.Extensions.Options;
using Outpost.Operations;

namespace Outpost.Storage;

/// <summary>
/// Brings the schema up to date before anything else touches the database. A database that is not
/// reachable yet (PostgreSQL starting beside the Outpost) is retried with backoff for up to
/// <see cref="StorageOptions.StartupTimeoutSeconds"/>; then start-up fails with a clear message.
/// </summary>
public sealed partial class DatabaseMigrator(IDatabase database, IOptions<StorageOptions> options, TimeProvider time, ILogger<DatabaseMigrator> logger) : IHostedService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.StartupTimeoutSeconds);
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await database.MigrateAsync(cancellationToken);
                Log.Ready(logger, database.Provider, database.Location, attempt);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && database.IsTransient(ex))
            {
                var reason = Reason(ex);
                if (time.GetElapsedTime(started) + delay > timeout)
                {
                    var message = $"The {database.Provider} database at {database.Location} was not reachable within {timeout.TotalSeconds:0} s ({attempt} attempts): {reason}";
                    Log.Unavailable(logger, message);
                    throw new StorageUnavailableException(message, ex);
                }
                Log.Waiting(logger, database.Provider, database.Location, attempt, reason, delay.TotalSeconds);
                await Task.Delay(delay, time, cancellationToken);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not StorageUnavailableException)
            {
                var message = $"The {database.Provider} database at {database.Location} cannot be used: {Reason(ex)}";
                Log.Unavailable(logger, message);
                throw new StorageUnavailableException(message, ex);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The exception's message and, when it adds something, its cause's (e.g. "Connection refused").</summary>
    private static string Reason(Exception ex) =>
        ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{ex.Message} ({inner.Message})" : ex.Message;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.DatabaseWaiting, Level = LogLevel.Warning, Message = "Waiting for the {Provider} database at {Location} (attempt {Attempt}: {Reason}); retrying in {DelaySeconds} s")]
        public static partial void Waiting(ILogger logger, string provider, string location, int attempt, string reason, double delaySeconds);

        [LoggerMessage(EventId = LogEvents.DatabaseReady, Level = LogLevel.Information, Message = "Using the {Provider} database at {Location}; schema up to date (attempt {Attempt})")]
        public static partial void Ready(ILogger logger, string provider, string location, int attempt);

        [LoggerMessage(EventId = LogEvents.DatabaseUnavailable, Level = LogLevel.Critical, Message = "{Message}")]
        public static partial void Unavailable(ILogger logger, string message);
    }
}
