using Outpost.Backends.Kubernetes.Profiles;

namespace Outpost.Backends.Kubernetes;

/// <summary>Options of the Kubernetes backend, bound to <c>Outpost:Backends:Kubernetes</c>.</summary>
public sealed class KubernetesBackendOptions
{
    /// <summary>
    /// Path of a kubeconfig file. Default none: the Outpost uses the service account of the pod it runs in
    /// (token, CA bundle and namespace under /var/run/secrets/kubernetes.io/serviceaccount).
    /// </summary>
    public string? KubeConfigPath { get; set; }

    /// <summary>Context of <see cref="KubeConfigPath"/> to use. Default: the file's current-context.</summary>
    public string? Context { get; set; }

    /// <summary>
    /// Namespace for every server's pod, Service, Secret and claim. Default: the kubeconfig context's namespace,
    /// else the service account's namespace, else "default".
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// A namespace per hub or per user instead of one for all, as KubeSpawner's user namespaces: a template whose fields
    /// are {hub} and {username} (both escaped to DNS-label text), e.g. "jupyter-{hub}" or "jupyter-{hub}-{username}".
    /// A namespace is created on its first server (labelled as the Outpost's); the Outpost then needs its rules in every
    /// namespace plus creating namespaces (the chart's ClusterRole with <c>kubernetesBackend.namespaceTemplate</c>).
    /// Default none: every server goes to <see cref="Namespace"/>.
    /// </summary>
    public string? NamespaceTemplate { get; set; }

    /// <summary>
    /// Name of this Outpost, written into the <c>outpost.jupyter.org/instance</c> label of everything it creates.
    /// Pods with this label that no stored server owns count as orphans. Give each Outpost that shares a namespace
    /// its own name. Default "outpost".
    /// </summary>
    public string InstanceName { get; set; } = "outpost";

    /// <summary>Seconds one API request (not a watch) may take before it fails. Default 30.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds after which the API server ends a watch stream; the shared watch then resumes from the last
    /// resourceVersion it saw. Default 300.
    /// </summary>
    public int WatchTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Whether pods labelled for this Outpost that no stored server owns are deleted (true) or only reported in the
    /// log (false). Default false.
    /// </summary>
    public bool RemoveOrphans { get; set; }

    /// <summary>Settings of every server's pod (image, resources, scheduling, storage ...). See <see cref="KubernetesPodOptions"/>.</summary>
    public KubernetesPodOptions Pod { get; set; } = new();

    /// <summary>
    /// Named presets selected by the start request's <c>user_options.profile</c>. Each holds the same keys as
    /// <see cref="Pod"/> and overrides them: maps are merged key by key, every other value replaces. Default none.
    /// </summary>
    public Dictionary<string, KubernetesPodOptions> Profiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Profiles in KubeSpawner's <c>profile_list</c> shape, served to hubs at <c>GET /profiles</c> for their spawn
    /// forms and selected by <c>user_options.profile</c> (the slug) and <c>user_options.&lt;option&gt;</c> (the choice).
    /// A start that names no profile gets the default one. Slugs may not repeat keys of <see cref="Profiles"/>. Default none.
    /// </summary>
    public List<KubernetesProfile> ProfileList { get; set; } = [];
}
