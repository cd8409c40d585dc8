namespace Outpost.Backends.LocalProcess;

/// <summary>Options of the local-process backend, bound to <c>Outpost:Backends:Local</c>.</summary>
public sealed class LocalProcessBackendOptions
{
    /// <summary>The default <see cref="Command"/>.</summary>
    public static readonly string[] DefaultCommand = ["jupyterhub-singleuser"];

    /// <summary>
    /// Command that runs a single-user server. Default <c>["jupyterhub-singleuser"]</c> (applied after
    /// binding: the configuration binder appends to an array's initial items instead of replacing them).
    /// </summary>
    public string[] Command { get; set; } = [];

    /// <summary>Extra arguments appended to <see cref="Command"/>. Default none.</summary>
    public string[] Args { get; set; } = [];

    /// <summary>Address the server binds and the hub is told. Default 127.0.0.1.</summary>
    public string Ip { get; set; } = "127.0.0.1";

    /// <summary>
    /// Variables the administrator sets for every server (e.g. PATH). The hub's variables come on top,
    /// limited to the keys its policy allows. Default none.
    /// </summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>
    /// Working directory and HOME of the servers. Default: a persistent per-user folder
    /// <c>{DataDir}/home/&lt;hub&gt;-&lt;user&gt;-&lt;hash&gt;</c>, so files survive a server's stop.
    /// </summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>
    /// Whether a start waits until the server accepts TCP connections on its port (failing early, with
    /// the server's last output, when it exits first). Default true.
    /// </summary>
    public bool WaitUntilListening { get; set; } = true;

    /// <summary>Seconds between SIGTERM and SIGKILL when a server is stopped. Default 10.</summary>
    public int StopGraceSeconds { get; set; } = 10;

    /// <summary>The server's output is kept in a file cut back to about this many bytes. Default 1 MiB.</summary>
    public int MaxLogBytes { get; set; } = 1024 * 1024;
}
