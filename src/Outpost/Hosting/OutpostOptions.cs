namespace Outpost.Hosting;

/// <summary>Options bound to <c>Outpost</c> itself.</summary>
public sealed class OutpostOptions
{
    /// <summary>Folder for the SQLite file, the generated encryption key and per-server files. Default <c>./data</c>.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>Largest accepted request body in bytes. Default 4 MiB (certs and env fit easily).</summary>
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>A start that has not finished after this many seconds is cancelled and cleaned up. Default 600.</summary>
    public int StartTimeoutSeconds { get; set; } = 600;

    /// <summary>Seconds between checks for servers past their flavor's runtime. Default 30.</summary>
    public int RuntimeSweepSeconds { get; set; } = 30;

    /// <summary>
    /// Minutes a server whose background start failed stays listed (its polls report the failure) when the hub never
    /// deletes it. Default 60. Failed synchronous starts are removed at once, as the hub got the error in its answer.
    /// </summary>
    public int FailedRetentionMinutes { get; set; } = 60;

    /// <summary>Lines returned by <c>collect_logs</c>. Default 200.</summary>
    public int LogLines { get; set; } = 200;
}
