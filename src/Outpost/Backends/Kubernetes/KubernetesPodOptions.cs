using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Settings of a server's pod. Used three times with the same keys: the base settings
/// (<c>Outpost:Backends:Kubernetes:Pod</c>), each profile (<c>...:Profiles:&lt;name&gt;</c>), and the hub's
/// <c>misc</c> overrides, which use KubeSpawner's trait names (<c>cpu_limit</c> for <see cref="CpuLimit"/>).
/// Every value is optional; an unset value falls back to the layer below and finally to the default named here.
/// </summary>
public sealed record KubernetesPodOptions
{
    public const string DefaultImage = "quay.io/jupyterhub/k8s-singleuser-sample:4.0.0";
    public const int DefaultPort = 8888;
    public const string DefaultIp = "0.0.0.0";
    public const int DefaultStartTimeout = 300;
    public const int DefaultDeleteGracePeriod = 1;
    public const string DefaultDnsNameTemplate = "{name}.{namespace}.svc.cluster.local";
    public const string DefaultPvcNameTemplate = "claim-{hubname}-{username}--{servername}";

    /// <summary>Container image of the notebook server. Default <see cref="DefaultImage"/>.</summary>
    public string? Image { get; set; }

    /// <summary>Always, IfNotPresent or Never. Default: Kubernetes decides (Always for :latest, else IfNotPresent).</summary>
    public string? ImagePullPolicy { get; set; }

    /// <summary>Names of Secrets used to pull the image. Default none.</summary>
    public List<string>? ImagePullSecrets { get; set; }

    /// <summary>Command that starts the server. Default ["jupyterhub-singleuser"].</summary>
    public List<string>? Cmd { get; set; }

    /// <summary>Arguments passed after <see cref="Cmd"/>. Default none.</summary>
    public List<string>? Args { get; set; }

    /// <summary>Working directory of the notebook container. Default: the image's.</summary>
    public string? WorkingDir { get; set; }

    /// <summary>Environment set by the administrator; the hub's variables are applied on top. Default none.</summary>
    public Dictionary<string, string>? Environment { get; set; }

    /// <summary>CPU cores reserved for the server (request). Default none.</summary>
    public double? CpuGuarantee { get; set; }

    /// <summary>CPU cores the server may use at most (limit). Default none.</summary>
    public double? CpuLimit { get; set; }

    /// <summary>Memory reserved, as bytes or with K/M/G/T (powers of 1024, as JupyterHub reads them) or Ki/Mi/Gi/Ti. Default none.</summary>
    public string? MemGuarantee { get; set; }

    /// <summary>Memory the server may use at most, in the same notation as <see cref="MemGuarantee"/>. Default none.</summary>
    public string? MemLimit { get; set; }

    /// <summary>Further resource requests, e.g. {"nvidia.com/gpu": "1"}. Default none.</summary>
    public Dictionary<string, string>? ExtraResourceGuarantees { get; set; }

    /// <summary>Further resource limits, e.g. {"nvidia.com/gpu": "1"}. Default none.</summary>
    public Dictionary<string, string>? ExtraResourceLimits { get; set; }

    /// <summary>Node labels the pod's node must carry. Default none.</summary>
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Tolerations of node taints. Default none.</summary>
    public List<V1Toleration>? Tolerations { get; set; }

    /// <summary>Required node affinity terms (any one must match). Default none.</summary>
    public List<V1NodeSelectorTerm>? NodeAffinityRequired { get; set; }

    /// <summary>Preferred node affinity terms. Default none.</summary>
    public List<V1PreferredSchedulingTerm>? NodeAffinityPreferred { get; set; }

    /// <summary>Required pod affinity terms. Default none.</summary>
    public List<V1PodAffinityTerm>? PodAffinityRequired { get; set; }

    /// <summary>Preferred pod affinity terms. Default none.</summary>
    public List<V1WeightedPodAffinityTerm>? PodAffinityPreferred { get; set; }

    /// <summary>Required pod anti-affinity terms. Default none.</summary>
    public List<V1PodAffinityTerm>? PodAntiAffinityRequired { get; set; }

    /// <summary>Preferred pod anti-affinity terms. Default none.</summary>
    public List<V1WeightedPodAffinityTerm>? PodAntiAffinityPreferred { get; set; }

    /// <summary>Service account the pod runs as. Default: the namespace's default account, with no token mounted.</summary>
    public string? ServiceAccount { get; set; }

    /// <summary>Mount the service-account token into the pod. Default: true only when <see cref="ServiceAccount"/> is set.</summary>
    public bool? AutomountServiceAccountToken { get; set; }

    /// <summary>User id the notebook container runs as. Default: the image's.</summary>
    public long? Uid { get; set; }

    /// <summary>Group id the notebook container runs as. Default: the image's.</summary>
    public long? Gid { get; set; }

    /// <summary>Group that owns mounted volumes (pod fsGroup). Default none.</summary>
    public long? FsGid { get; set; }

    /// <summary>Supplemental groups of the pod. Default none.</summary>
    public List<long>? SupplementalGids { get; set; }

    /// <summary>Run the notebook container privileged. Default false.</summary>
    public bool? Privileged { get; set; }

    /// <summary>Allow privilege escalation in the notebook container (setuid binaries such as sudo). Default false.</summary>
    public bool? AllowPrivilegeEscalation { get; set; }

    /// <summary>Container security context; its fields win over <see cref="Uid"/>, <see cref="Gid"/> and friends. Default none.</summary>
    public V1SecurityContext? ContainerSecurityContext { get; set; }

    /// <summary>Pod security context; its fields win over <see cref="FsGid"/> and <see cref="SupplementalGids"/>. Default none.</summary>
    public V1PodSecurityContext? PodSecurityContext { get; set; }

    /// <summary>Labels added to the pod, Service, Secret and claim (the hub sends its own as <c>extra_labels</c>). Default none.</summary>
    public Dictionary<string, string>? ExtraLabels { get; set; }

    /// <summary>Annotations added to the pod. Default none.</summary>
    public Dictionary<string, string>? ExtraAnnotations { get; set; }

    /// <summary>
    /// Pod volumes. String values may use {username}, {servername}, {hubname}, {userid} and {pvc_name}, e.g. a claim
    /// named "{pvc_name}". Default none.
    /// </summary>
    public List<V1Volume>? Volumes { get; set; }

    /// <summary>Mounts of <see cref="Volumes"/> in the notebook container; the same fields expand. Default none.</summary>
    public List<V1VolumeMount>? VolumeMounts { get; set; }

    /// <summary>Create a claim per user and server (kept when the server stops) from the Storage* settings. Default false.</summary>
    public bool? StoragePvcEnsure { get; set; }

    /// <summary>Name of that claim; fields as in <see cref="PodNameTemplate"/>. Default <see cref="DefaultPvcNameTemplate"/>.</summary>
    public string? PvcNameTemplate { get; set; }

    /// <summary>Size of that claim, e.g. "10Gi". Required when <see cref="StoragePvcEnsure"/> is true.</summary>
    public string? StorageCapacity { get; set; }

    /// <summary>Storage class of that claim. Default: the cluster's default class.</summary>
    public string? StorageClass { get; set; }

    /// <summary>Access modes of that claim. Default ["ReadWriteOnce"].</summary>
    public List<string>? StorageAccessModes { get; set; }

    /// <summary>Containers run to completion before the notebook container starts. Default none.</summary>
    public List<V1Container>? InitContainers { get; set; }

    /// <summary>Sidecar containers beside the notebook container. Default none.</summary>
    public List<V1Container>? ExtraContainers { get; set; }

    /// <summary>
    /// Fields laid over the pod's spec after everything else, as KubeSpawner's extra_pod_config: each key (hostNetwork or
    /// host_network) replaces that field whole. Default none.
    /// </summary>
    public JsonObject? ExtraPodConfig { get; set; }

    /// <summary>Fields laid over the notebook container the same way (KubeSpawner's extra_container_config). Default none.</summary>
    public JsonObject? ExtraContainerConfig { get; set; }

    /// <summary>postStart/preStop hooks of the notebook container. Default none.</summary>
    public V1Lifecycle? LifecycleHooks { get; set; }

    /// <summary>Priority class of the pod. Default none.</summary>
    public string? PriorityClassName { get; set; }

    /// <summary>Scheduler of the pod. Default: the cluster's default scheduler.</summary>
    public string? SchedulerName { get; set; }

    /// <summary>Seconds a start may take until the server runs; then the start fails and the pod is removed. Default 300.</summary>
    public int? StartTimeout { get; set; }

    /// <summary>Seconds Kubernetes waits between SIGTERM and SIGKILL when a server is stopped. Default 1.</summary>
    public int? DeleteGracePeriod { get; set; }

    /// <summary>Port the notebook server listens on. Default 8888.</summary>
    public int? Port { get; set; }

    /// <summary>Address the notebook server binds inside the pod. Default 0.0.0.0.</summary>
    public string? Ip { get; set; }

    /// <summary>Create a ClusterIP Service per server and return its DNS name as the address. Default false (the pod IP is returned).</summary>
    public bool? ServicesEnabled { get; set; }

    /// <summary>
    /// Name of the pod and its Service. Fields: {username}, {servername}, {userid}, {hubname}, {startid},
    /// {unescaped_username}, {unescaped_servername}, {legacy_escape_username} and {hubnamespace} (the hub's name here).
    /// When it does not use {hubname}, the hub's name is appended, so two hubs never collide. Default: a name the
    /// Outpost derives from hub, user, server and start.
    /// </summary>
    public string? PodNameTemplate { get; set; }

    /// <summary>Host name returned when <see cref="ServicesEnabled"/>; fields {name} and {namespace}. Default <see cref="DefaultDnsNameTemplate"/>.</summary>
    public string? DnsNameTemplate { get; set; }

    /// <summary>Whether the hub runs with internal_ssl. Sent by the hub; when true the request must carry certs. Default false.</summary>
    public bool? InternalSsl { get; set; }

    /// <summary>
    /// Lays <paramref name="overlay"/> over <paramref name="below"/>: set values replace, maps (and nested objects)
    /// merge key by key, lists replace whole. Neither input is changed.
    /// </summary>
    public static KubernetesPodOptions Merge(KubernetesPodOptions below, KubernetesPodOptions overlay)
    {
        var target = JsonSerializer.SerializeToNode(below, KubeJson.Info<KubernetesPodOptions>())!;
        var patch = JsonSerializer.SerializeToNode(overlay, KubeJson.Info<KubernetesPodOptions>())!;
        return MergeNodes(target, patch).Deserialize(KubeJson.Info<KubernetesPodOptions>())!;
    }

    internal static JsonNode MergeNodes(JsonNode target, JsonNode patch)
    {
        if (target is not JsonObject targetObject || patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }
        var result = (JsonObject)targetObject.DeepClone();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = result[key] is { } existing ? MergeNodes(existing, value) : value.DeepClone();
            }
        }
        return result;
    }
}
