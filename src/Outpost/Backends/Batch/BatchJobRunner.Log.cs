using Outpost.Operations;

namespace Outpost.Backends.Batch;

public sealed partial class BatchJobRunner
{
    private static partial class Log
    {
        [LoggerMessage(LogEvents.BatchJobSubmitted, LogLevel.Information, "Submitted {Scheduler} job {JobId} for {Server} as '{User}'")]
        public static partial void Submitted(ILogger logger, string scheduler, string jobId, string server, string user);

        [LoggerMessage(LogEvents.BatchJobRunning, LogLevel.Information, "{Scheduler} job {JobId} runs on {Node}")]
        public static partial void Running(ILogger logger, string scheduler, string jobId, string node);

        [LoggerMessage(LogEvents.BatchQueryFailed, LogLevel.Warning, "Query for {Scheduler} job {JobId} failed: {Error}")]
        public static partial void QueryFailed(ILogger logger, string scheduler, string jobId, string error);

        [LoggerMessage(LogEvents.BatchStartTimedOut, LogLevel.Warning, "{Scheduler} job {JobId} did not start within {Seconds} s; cancelling it")]
        public static partial void StartTimedOut(ILogger logger, string scheduler, string jobId, int seconds);

        [LoggerMessage(LogEvents.BatchCancelFailed, LogLevel.Warning, "Cancelling {Scheduler} job {JobId} failed: {Error}")]
        public static partial void CancelFailed(ILogger logger, string scheduler, string jobId, string error);

        [LoggerMessage(LogEvents.BatchJobVanished, LogLevel.Information, "{Scheduler} job {JobId} is known to neither its queue nor its accounting; it counts as ended")]
        public static partial void Vanished(ILogger logger, string scheduler, string jobId);

        [LoggerMessage(LogEvents.BatchLogsUnreadable, LogLevel.Warning, "Cannot read the output of {Scheduler} job {JobId}: {Error}")]
        public static partial void LogsUnreadable(ILogger logger, string scheduler, string jobId, string error);

        [LoggerMessage(LogEvents.BatchJobCancelled, LogLevel.Information, "Cancelled {Scheduler} job {JobId}")]
        public static partial void Cancelled(ILogger logger, string scheduler, string jobId);

        [LoggerMessage(LogEvents.BatchCommandFailed, LogLevel.Warning, "{Scheduler} command '{Command}' could not be run: {Error}")]
        public static partial void CommandFailed(ILogger logger, string scheduler, string command, string error);
    }
}
