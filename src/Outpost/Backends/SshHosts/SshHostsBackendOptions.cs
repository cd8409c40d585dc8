namespace Outpost.Backends.SshHosts;

/// <summary>Options of the SSH hosts backend, bound to <c>Outpost:Backends:SshHosts</c>.</summary>
public sealed class SshHostsBackendOptions
{
    public const string RoundRobin = "RoundRobin";
    public const string LeastLoaded = "LeastLoaded";

    /// <summary>The default <see cref="Command"/>.</summary>
    public static readonly string[] DefaultCommand = ["jupyterhub-singleuser"];

    /// <summary>The hosts servers run on. At least one.</summary>
    public List<SshHostOptions> Hosts { get; set; } = [];

    /// <summary>
    /// The remote account: a fixed service account (<c>jupyter</c>) or a template with <c>{username}</c>, the hub
    /// user's name (<c>{username}</c>, <c>jh-{username}</c>). A result that is not a safe POSIX user name is refused.
    /// </summary>
    public string User { get; set; } = "";

    /// <summary>Private key used to log in, unless the user's auth state brings one (<see cref="AuthStateKey"/>).</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Auth state field (sent by the hub as the <c>auth-state-&lt;name&gt;</c> header) holding the user's own private key,
    /// as PEM with <c>\n</c> for line breaks or as base64 of the PEM. When the field is there it wins over <see cref="KeyFile"/>.
    /// </summary>
    public string? AuthStateKey { get; set; }

    /// <summary>Command that runs a single-user server on the remote host. Default <c>["jupyterhub-singleuser"]</c>.</summary>
    public string[] Command { get; set; } = [];

    /// <summary>Extra arguments appended to <see cref="Command"/>.</summary>
    public string[] Args { get; set; } = [];

    /// <summary>Variables set for every server (the hub's variables come on top); nothing else of the remote login is passed on.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>PATH of the remote server and of the Outpost's helper commands there.</summary>
    public string Path { get; set; } = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>Address on the remote host the server binds (its loopback by default, reached through the SSH forward).</summary>
    public string ServerIp { get; set; } = "127.0.0.1";

    /// <summary>First port a server may listen on, on the remote host. The remote host picks one that nothing listens on.</summary>
    public int PortRangeStart { get; set; } = 40000;

    /// <summary>Last port a server may listen on, on the remote host.</summary>
    public int PortRangeEnd { get; set; } = 49999;

    /// <summary>Folder of the per-server folders on the remote host; relative to the account's home unless absolute.</summary>
    public string RemoteDirectory { get; set; } = ".outpost-servers";

    /// <summary><c>RoundRobin</c> (default) or <c>LeastLoaded</c> (fewest servers of this backend).</summary>
    public string HostChoice { get; set; } = RoundRobin;

    /// <summary>Seconds a host that refused a connection is left out of host choice. Default 60.</summary>
    public int HostRetrySeconds { get; set; } = 60;

    /// <summary>Seconds a start waits for the server to listen. Default 120.</summary>
    public int StartTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds between SIGTERM and SIGKILL when a server is stopped. Default 10.</summary>
    public int StopGraceSeconds { get; set; } = 10;

    /// <summary>ssh's ConnectTimeout in seconds. Default 10.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds one remote command may take before it counts as failed (a poll then says Unknown). Default 30.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>The OpenSSH client. Default <c>ssh</c> on PATH.</summary>
    public string SshProgram { get; set; } = "ssh";

    /// <summary>Folder of the ControlMaster sockets (mode 0700). Default <c>{DataDir}/ssh</c>; keep the path short (socket paths are limited to about 100 bytes).</summary>
    public string? ControlDirectory { get; set; }
}
