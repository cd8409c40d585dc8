namespace Outpost.Backends.Spawner;

/// <summary>
/// Options bound to <c>Outpost:Backends:Spawner</c>, or to any other section under <c>Outpost:Backends</c> with
/// <c>Type: Spawner</c>: a backend that runs a JupyterHub Spawner class in a supervised Python spawner host.
/// </summary>
public sealed class SpawnerBackendOptions
{
    public const string TypeName = BackendNames.Spawner;

    /// <summary>Marks a section whose name is not "Spawner" as a spawner backend.</summary>
    public string? Type { get; set; }

    /// <summary>
    /// The spawner configuration in the original Outpost's format (<c>c.JupyterHubOutpost.spawner_class = …</c>,
    /// <c>c.&lt;SpawnerClass&gt;.&lt;trait&gt; = …</c>); read again for every start. Required.
    /// </summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>The Python interpreter that has Debian's jupyterhub and the site's spawner package.</summary>
    public string Python { get; set; } = "/usr/bin/python3";

    /// <summary>The folder that holds the <c>outpost_spawnerhost</c> package; default: <c>spawnerhost</c> beside the executable.</summary>
    public string? HostPath { get; set; }

    /// <summary>Folders added to the host's PYTHONPATH (a site's own spawner modules).</summary>
    public string[] PythonPath { get; set; } = [];

    /// <summary>
    /// Environment for the host beyond the few variables it inherits (PATH, HOME, LANG, …, and Kubernetes'
    /// in-cluster service variables), e.g. KUBECONFIG. The Outpost's own environment (its secrets) is not passed on.
    /// </summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>How long a poll or a log request may take before it answers "unknown".</summary>
    public int CallTimeoutSeconds { get; set; } = 30;

    /// <summary>How long a spawner's stop() may take.</summary>
    public int StopTimeoutSeconds { get; set; } = 120;

    /// <summary>The longest wait before a host that keeps dying is started again (the wait doubles from 1 s).</summary>
    public int MaxRestartDelaySeconds { get; set; } = 30;

    /// <summary>The host's log level (Python logging names: DEBUG, INFO, WARNING, ERROR).</summary>
    public string LogLevel { get; set; } = "INFO";

    /// <summary>Where the host package is, with the default applied.</summary>
    public string ResolvedHostPath => Path.GetFullPath(HostPath ?? Path.Combine(AppContext.BaseDirectory, "spawnerhost"));
}
