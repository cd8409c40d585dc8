namespace Outpost.Backends;

/// <summary>What a backend observes about a server.</summary>
public enum BackendState
{
    /// <summary>The server is running (or still starting).</summary>
    Running,

    /// <summary>The server has ended; <see cref="BackendStatus.ExitCode"/> says how.</summary>
    Exited,

    /// <summary>The backend could not tell this time (scheduler or API unreachable); treated as running.</summary>
    Unknown,
}

/// <summary>An observation of one server.</summary>
public sealed record BackendStatus(BackendState State, int ExitCode = 0, string? Message = null)
{
    /// <summary>A newer handle to store, when the backend's record of the server changed (a spawner's state); else null.</summary>
    public BackendHandle? Handle { get; init; }

    public static readonly BackendStatus Running = new(BackendState.Running);

    public static BackendStatus Exited(int exitCode, string? message = null) => new(BackendState.Exited, exitCode, message);

    public static BackendStatus Unknown(string message) => new(BackendState.Unknown, 0, message);
}
