namespace Outpost.Backends.Batch;

/// <summary>
/// Options every batch-scheduler backend has, bound from its own section (e.g. <c>Outpost:Backends:Slurm</c>).
/// Paths and texts here are trusted (they come from the administrator); values from hubs and users are checked
/// against the backend's allow-lists before they reach a job.
/// </summary>
public abstract class BatchBackendOptions
{
    /// <summary>
    /// Words put in front of the submit and cancel commands, so that jobs belong to the mapped system user,
    /// e.g. <c>["sudo", "--preserve-env", "-u", "{username}"]</c> or <c>["runuser", "-u", "{username}", "--"]</c>.
    /// <c>{username}</c> is replaced by the system user (see <see cref="SystemUser"/>). The prefix must keep the
    /// environment, because the job's variables travel through it. Default none: jobs run as the Outpost's user.
    /// </summary>
    public string[] ExecPrefix { get; set; } = [];

    /// <summary>
    /// Words put in front of the queue and accounting queries, with the same <c>{username}</c> placeholder.
    /// Default none: queries run as the Outpost's user, which avoids a sudo call per poll.
    /// </summary>
    public string[] QueryExecPrefix { get; set; } = [];

    /// <summary>
    /// Variables set for every scheduler command, on top of the Outpost's environment (e.g. <c>SLURM_CONF</c>,
    /// <c>SGE_ROOT</c>). They do not reach the job unless also listed in <see cref="JobEnvironment"/>. Default none.
    /// </summary>
    public Dictionary<string, string> CommandEnvironment { get; set; } = [];

    /// <summary>Seconds one scheduler command may take before it is killed and counted as failed. Default 30.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Hub user name → system user name, for users whose system name differs. Checked before
    /// <see cref="SystemUser"/>. Default empty.
    /// </summary>
    public Dictionary<string, string> UserMap { get; set; } = [];

    /// <summary>
    /// Template of the system user for hub users not in <see cref="UserMap"/>: <c>{username}</c> is the hub
    /// user name, <c>{hub}</c> the hub's name. Default "{username}". The result must match
    /// <see cref="SystemUserPattern"/>, otherwise the start is refused.
    /// </summary>
    public string SystemUser { get; set; } = "{username}";

    /// <summary>
    /// Regular expression (whole match) a system user name must satisfy. Default a conservative POSIX user name:
    /// <c>[a-z_][a-z0-9_.-]{0,31}</c>.
    /// </summary>
    public string SystemUserPattern { get; set; } = "[a-z_][a-z0-9_.-]{0,31}";

    /// <summary>
    /// The batch script template. Placeholders: the scheduler's directive lines (<c>{{sbatch}}</c> for Slurm,
    /// <c>{{qsub}}</c> for Grid Engine; required, and must precede any command), <c>{{setup}}</c> (fixed lines that set
    /// <c>JUPYTERHUB_SERVICE_URL</c>, write internal_ssl certificates and, with <see cref="DelayedTunnel"/>, report the
    /// address to the hub), <c>{{prologue}}</c>, <c>{{command}}</c> (the quoted server command; required) and
    /// <c>{{epilogue}}</c>. No other substitution happens, and no value from a hub or user is ever placed in the script.
    /// Default: the backend's own template.
    /// </summary>
    public string ScriptTemplate { get; set; } = "";

    /// <summary>Shell lines run before the server command, e.g. <c>module load jupyter</c>. Default none.</summary>
    public string Prologue { get; set; } = "";

    /// <summary>Shell lines run after the server command has ended. Default none.</summary>
    public string Epilogue { get; set; } = "";

    /// <summary>
    /// The single-user server command and its fixed arguments. Empty (default) means <c>["jupyterhub-singleuser"]</c>.
    /// (The default is applied when used, because configuration binding appends to a non-empty array.)
    /// </summary>
    public string[] Command { get; set; } = [];

    /// <summary>The command that runs: <see cref="Command"/>, or the default when it is empty.</summary>
    internal IReadOnlyList<string> EffectiveCommand => Command.Length > 0 ? Command : ["jupyterhub-singleuser"];

    /// <summary>Extra arguments appended to <see cref="Command"/>. Default none.</summary>
    public string[] Args { get; set; } = [];

    /// <summary>
    /// Variables the administrator sets for every job (e.g. <c>JUPYTERHUB_SINGLEUSER_APP</c>). The hub's variables
    /// come on top. Default none.
    /// </summary>
    public Dictionary<string, string> JobEnvironment { get; set; } = [];

    /// <summary>
    /// Directory the job runs in and writes its output file to. <c>{username}</c> is the system user and
    /// <c>{workdir}</c> the Outpost's private folder for the server. It must exist on the compute node, be
    /// writable by the job's user and readable by the Outpost (for <c>collect_logs</c>). Default "{workdir}",
    /// which suits jobs that run as the Outpost's own user on a shared file system.
    /// </summary>
    public string JobDirectory { get; set; } = "{workdir}";

    /// <summary>
    /// Address the server binds on its compute node. Empty (default) binds the node's name as the scheduler reports
    /// it, which is also the host the hub is told. An IP address binds that address; a specific one (not 0.0.0.0)
    /// is then also the host the hub is told.
    /// </summary>
    public string BindAddress { get; set; } = "";

    /// <summary>First port of the range the Outpost picks a server port from. Default 50000.</summary>
    public int PortRangeStart { get; set; } = 50000;

    /// <summary>Last port (inclusive) of the range the Outpost picks a server port from. Default 59999.</summary>
    public int PortRangeEnd { get; set; } = 59999;

    /// <summary>
    /// When true the start returns an empty service address and the job itself reports <c>host:port</c> to the
    /// hub through <c>JUPYTERHUB_SETUPTUNNEL_URL</c> (delayed tunnelling). Needs <c>/usr/bin/python3</c>, or
    /// <see cref="Python"/>, on the compute node. Default false.
    /// </summary>
    public bool DelayedTunnel { get; set; }

    /// <summary>Python interpreter the job uses to report its address when <see cref="DelayedTunnel"/> is on. Default "/usr/bin/python3".</summary>
    public string Python { get; set; } = "/usr/bin/python3";

    /// <summary>
    /// When true the start is done as soon as the job runs; when false (default) the Outpost also waits until the
    /// server answers HTTP on its host and port.
    /// </summary>
    public bool ReadyWhenRunning { get; set; }

    /// <summary>Seconds between queue polls while a start waits. Default 2.</summary>
    public double PollIntervalSeconds { get; set; } = 2;

    /// <summary>
    /// Seconds a start may take from submission until the server is ready, queue time included. On expiry the job
    /// is cancelled and the start fails. Default 600.
    /// </summary>
    public int StartTimeoutSeconds { get; set; } = 600;

    /// <summary>Seconds a stop waits for the job to end after it was cancelled. Default 60.</summary>
    public int StopTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// How often a status poll asks the queue before it falls back to accounting; a job is never judged ended from a
    /// failed query. Default 3.
    /// </summary>
    public int QueryAttempts { get; set; } = 3;

    /// <summary>Seconds between those attempts. Default 1.</summary>
    public double QueryRetryDelaySeconds { get; set; } = 1;
}
