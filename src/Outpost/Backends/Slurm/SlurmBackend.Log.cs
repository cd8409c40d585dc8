using Outpost.Hosting;

namespace Outpost.Backends.Slurm;

public sealed partial class SlurmBackend
{
    private static partial class Log
    {
        [LoggerMessage(LogEvents.SlurmJobSubmitted, LogLevel.Information, "Submitted Slurm job {JobId} for {Server} as '{User}'")]
        public static partial void Submitted(ILogger logger, string jobId, string server, string user);

        [LoggerMessage(LogEvents.SlurmJobRunning, LogLevel.Information, "Slurm job {JobId} runs on {Node}")]
        public static partial void Running(ILogger logger, string jobId, string node);

        [LoggerMessage(LogEvents.SlurmQueryFailed, LogLevel.Warning, "Query for Slurm job {JobId} failed: {Error}")]
        public static partial void QueryFailed(ILogger logger, string jobId, string error);

        [LoggerMessage(LogEvents.SlurmStartTimedOut, LogLevel.Warning, "Slurm job {JobId} did not start within {Seconds} s; cancelling it")]
        public static partial void StartTimedOut(ILogger logger, string jobId, int seconds);

        [LoggerMessage(LogEvents.SlurmCancelFailed, LogLevel.Warning, "scancel for Slurm job {JobId} failed: {Error}")]
        public static partial void CancelFailed(ILogger logger, string jobId, string error);

        [LoggerMessage(LogEvents.SlurmJobVanished, LogLevel.Information, "Slurm job {JobId} is known to neither squeue nor sacct; it counts as ended")]
        public static partial void Vanished(ILogger logger, string jobId);

        [LoggerMessage(LogEvents.SlurmLogsUnreadable, LogLevel.Warning, "Cannot read the output of Slurm job {JobId}: {Error}")]
        public static partial void LogsUnreadable(ILogger logger, string jobId, string error);

        [LoggerMessage(LogEvents.SlurmJobCancelled, LogLevel.Information, "Cancelled Slurm job {JobId}")]
        public static partial void Cancelled(ILogger logger, string jobId);

        [LoggerMessage(LogEvents.SlurmCommandFailed, LogLevel.Warning, "Command '{Command}' could not be run: {Error}")]
        public static partial void CommandFailed(ILogger logger, string command, string error);
    }
}
