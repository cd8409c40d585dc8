namespace Outpost.Backends.Containers;

/// <summary>
/// Options of the container backend, bound to <c>Outpost:Backends:Containers</c>: one container per server, made
/// through the Docker Engine API of Docker or of Podman's compatible service.
/// </summary>
public sealed class ContainerBackendOptions
{
    /// <summary>The default <see cref="Command"/>.</summary>
    public static readonly string[] DefaultCommand = ["jupyterhub-singleuser"];

    /// <summary>
    /// Where the engine listens: <c>unix:///path/to/socket</c>, or <c>tcp://host:port</c> with the three Tls* files.
    /// Default <c>unix:///var/run/docker.sock</c> (Podman: <c>unix:///run/podman/podman.sock</c>).
    /// </summary>
    public string Endpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>API version every call is made with. Default "v1.41" (Docker 20.10 and later, Podman 3 and later).</summary>
    public string ApiVersion { get; set; } = "v1.41";

    /// <summary>For tcp://: the CA (PEM) the engine's certificate must chain to. Default none.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>For tcp://: the client certificate (PEM). Default none.</summary>
    public string? TlsCertFile { get; set; }

    /// <summary>For tcp://: the client certificate's private key (PEM). Default none.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>Seconds one API call may take (pulls and waits excepted). Default 30.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Written into every container's labels, so that several Outposts can share one engine: each adopts and removes
    /// only its own containers. Default "outpost".
    /// </summary>
    public string InstanceName { get; set; } = "outpost";

    /// <summary>Image of the servers. Required.</summary>
    public string Image { get; set; } = "";

    /// <summary>When to pull the image. Default IfNotPresent.</summary>
    public ContainerPullPolicy PullPolicy { get; set; } = ContainerPullPolicy.IfNotPresent;

    /// <summary>
    /// Images a hub may choose through <c>misc.image</c> (the hub's <c>AllowedMisc</c> must list "image" too).
    /// Default none: misc.image is refused.
    /// </summary>
    public List<string> AllowedImages { get; set; } = [];

    /// <summary>The server's command, run instead of the image's. Default <c>["jupyterhub-singleuser"]</c> (applied after binding).</summary>
    public string[] Command { get; set; } = [];

    /// <summary>Arguments appended to <see cref="Command"/>. Default none.</summary>
    public string[] Args { get; set; } = [];

    /// <summary>Variables every server gets; the hub's variables (as its policy allows) come on top. Default none.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>
    /// The container's network. Only "host" is supported: the server binds <see cref="Ip"/> on a port the backend picks,
    /// on the engine's host, which must be the Outpost's host so its sshd can forward to it. Default "host".
    /// </summary>
    public string NetworkMode { get; set; } = "host";

    /// <summary>Address the server binds and the hub is told (host network). Default 127.0.0.1.</summary>
    public string Ip { get; set; } = "127.0.0.1";

    /// <summary>Memory limit of every server unless a flavor or profile sets one. Default none.</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>CPU limit in cores of every server unless a flavor or profile sets one. Default none.</summary>
    public double? CpuLimit { get; set; }

    /// <summary>Limits per flavor name, over <see cref="MemoryLimit"/> and <see cref="CpuLimit"/>. Default none.</summary>
    public Dictionary<string, ContainerResources> Flavors { get; set; } = [];

    /// <summary>Settings per <c>user_options.profile</c>. Default none (a profile then changes nothing here).</summary>
    public Dictionary<string, ContainerProfile> Profiles { get; set; } = [];

    /// <summary>User (and group) the server runs as, e.g. "1000:100". Default: the image's.</summary>
    public string? User { get; set; }

    /// <summary>Working directory in the container. Default: the image's.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Named volumes (e.g. a per-user home: <c>jupyter-{hub}-{user}</c>); kept when a server stops. Default none.</summary>
    public List<ContainerMount> Volumes { get; set; } = [];

    /// <summary>Host folders mounted into every server; each must lie under <see cref="AllowedBindSources"/>. Default none.</summary>
    public List<ContainerMount> BindMounts { get; set; } = [];

    /// <summary>Host folders under which bind mounts may be. Default none (no bind mounts).</summary>
    public List<string> AllowedBindSources { get; set; } = [];

    /// <summary>Paths in the container that get a fresh tmpfs (writable with a read-only root). Default none.</summary>
    public List<string> Tmpfs { get; set; } = [];

    /// <summary>Labels added to every container (the backend's own labels cannot be replaced). Default none.</summary>
    public Dictionary<string, string> ExtraLabels { get; set; } = [];

    /// <summary>The container's root file system is read-only. Default true.</summary>
    public bool ReadOnlyRootFilesystem { get; set; } = true;

    /// <summary>All Linux capabilities are dropped. Default true.</summary>
    public bool DropAllCapabilities { get; set; } = true;

    /// <summary>Processes cannot gain privileges (setuid programs). Default true.</summary>
    public bool NoNewPrivileges { get; set; } = true;

    /// <summary>Seconds a start waits (pull excepted) for the server to listen before it fails. Default 120.</summary>
    public int StartTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds a pull may take. Default 600.</summary>
    public int PullTimeoutSeconds { get; set; } = 600;

    /// <summary>Seconds between SIGTERM and SIGKILL when a server stops. Default 10.</summary>
    public int StopGraceSeconds { get; set; } = 10;

    /// <summary>Containers of this instance that no stored server owns are removed. Default true.</summary>
    public bool RemoveOrphans { get; set; } = true;

    /// <summary>A container younger than this many seconds is never taken for an orphan. Default 120.</summary>
    public int OrphanGraceSeconds { get; set; } = 120;
}
