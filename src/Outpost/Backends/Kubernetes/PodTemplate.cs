using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Outpost.Backends.Kubernetes.Client;
using k8s;
using k8s.Models;
using Outpost.Servers;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Builds a server's pod, Service, Secret and claim from the start request and the resolved settings. Pure: no I/O,
/// no clock, the same input gives the same objects (kubespawner's <c>objects.py</c>).
/// </summary>
public static class PodTemplate
{
    public const string ContainerName = "notebook";
    public const string PortName = "notebook-port";
    public const string CertsVolume = "outpost-certs";
    public const string CertsPath = "/etc/jupyterhub/ssl";
    public const string LabelPrefix = "outpost.jupyter.org/";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string InstanceLabel = LabelPrefix + "instance";
    public const string HubLabel = LabelPrefix + "hub";
    public const string UserLabel = LabelPrefix + "user";
    public const string ServerLabel = LabelPrefix + "server";
    public const string PodLabel = LabelPrefix + "pod";
    public const string ManagedByValue = "outpost";

    /// <summary>Label selector for every pod this Outpost instance created.</summary>
    public static string InstanceSelector(string instance) => $"{ManagedByLabel}={ManagedByValue},{InstanceLabel}={instance}";

    public static ServerObjects Build(BackendStartRequest request, KubernetesPodOptions s, string ns, string instance)
    {
        var spec = request.Spec;
        var hub = request.Key.Hub;
        var fields = NameFields(request);
        var podName = PodName(request, s, fields);
        var pvcName = KubeNames.DnsLabel(Expand(s.PvcNameTemplate ?? KubernetesPodOptions.DefaultPvcNameTemplate, fields));
        fields["pvc_name"] = pvcName;
        var port = s.Port ?? KubernetesPodOptions.DefaultPort;
        var ip = s.Ip ?? KubernetesPodOptions.DefaultIp;
        var ssl = spec.Certs is not null;

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in s.ExtraLabels ?? [])
        {
            labels[k] = v;
        }
        labels[ManagedByLabel] = ManagedByValue;
        labels[ComponentLabel] = "singleuser-server";
        labels[InstanceLabel] = instance;
        labels[HubLabel] = KubeNames.LabelValue(hub);
        labels[UserLabel] = KubeNames.LabelValue(spec.UserName);
        labels[ServerLabel] = KubeNames.LabelValue(spec.Name);
        var podLabels = new Dictionary<string, string>(labels) { [PodLabel] = podName };

        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in s.ExtraAnnotations ?? [])
        {
            annotations[k] = v;
        }
        annotations[LabelPrefix + "hub"] = hub;
        annotations[LabelPrefix + "username"] = spec.UserName;
        annotations[LabelPrefix + "servername"] = spec.Name;
        annotations[LabelPrefix + "start-id"] = request.Key.StartId;

        var volumes = Expand(s.Volumes ?? [], fields);
        var mounts = Expand(s.VolumeMounts ?? [], fields);
        if (ssl)
        {
            volumes.Add(new V1Volume { Name = CertsVolume, Secret = new V1SecretVolumeSource { SecretName = podName, DefaultMode = 256 } });
            mounts.Add(new V1VolumeMount { Name = CertsVolume, MountPath = CertsPath, ReadOnlyProperty = true });
        }

        var container = new V1Container
        {
            Name = ContainerName,
            Image = s.Image ?? KubernetesPodOptions.DefaultImage,
            ImagePullPolicy = s.ImagePullPolicy,
            Command = s.Cmd is { Count: > 0 } cmd ? [.. cmd] : ["jupyterhub-singleuser"],
            Args = s.Args is { Count: > 0 } args ? [.. args] : null,
            WorkingDir = s.WorkingDir,
            Env = Environment(s, spec, ip, port),
            Ports = [new V1ContainerPort { Name = PortName, ContainerPort = port, Protocol = "TCP" }],
            Resources = Resources(s),
            VolumeMounts = mounts.Count == 0 ? null : mounts,
            SecurityContext = ContainerSecurity(s),
            Lifecycle = s.LifecycleHooks is null ? null : KubeJson.Clone(s.LifecycleHooks),
        };

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = podName,
                NamespaceProperty = ns,
                Labels = podLabels,
                Annotations = new Dictionary<string, string>(annotations),
            },
            Spec = new V1PodSpec
            {
                Containers = [ExtraConfig.Apply(container, s.ExtraContainerConfig, "extra_container_config"), .. (s.ExtraContainers ?? []).Select(KubeJson.Clone)],
                InitContainers = s.InitContainers is { Count: > 0 } init ? init.Select(KubeJson.Clone).ToList() : null,
                Volumes = volumes.Count == 0 ? null : volumes,
                // As kubespawner: a crashed server is restarted in place; a clean exit ends the pod.
                RestartPolicy = "OnFailure",
                NodeSelector = s.NodeSelector is { Count: > 0 } nodeSelector ? new Dictionary<string, string>(nodeSelector) : null,
                Tolerations = s.Tolerations is { Count: > 0 } tolerations ? tolerations.Select(KubeJson.Clone).ToList() : null,
                Affinity = Affinity(s),
                ServiceAccountName = s.ServiceAccount,
                AutomountServiceAccountToken = s.AutomountServiceAccountToken ?? s.ServiceAccount is not null,
                SecurityContext = PodSecurity(s),
                ImagePullSecrets = s.ImagePullSecrets is { Count: > 0 } pullSecrets
                    ? pullSecrets.Select(n => new V1LocalObjectReference { Name = n }).ToList()
                    : null,
                PriorityClassName = s.PriorityClassName,
                SchedulerName = s.SchedulerName,
                TerminationGracePeriodSeconds = s.DeleteGracePeriod ?? KubernetesPodOptions.DefaultDeleteGracePeriod,
                // Service links would put every Service of the namespace into the environment; servers do not need them.
                EnableServiceLinks = false,
            },
        };
        pod.Spec = ExtraConfig.Apply(pod.Spec, s.ExtraPodConfig, "extra_pod_config");

        V1Service? service = null;
        string? serviceHost = null;
        if (s.ServicesEnabled == true)
        {
            service = new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = ns, Labels = new Dictionary<string, string>(labels) },
                Spec = new V1ServiceSpec
                {
                    Type = "ClusterIP",
                    Selector = new Dictionary<string, string> { [PodLabel] = podName },
                    Ports = [new V1ServicePort { Name = PortName, Protocol = "TCP", Port = port, TargetPort = port }],
                },
            };
            serviceHost = Expand(s.DnsNameTemplate ?? KubernetesPodOptions.DefaultDnsNameTemplate,
                new Dictionary<string, string> { ["name"] = podName, ["namespace"] = ns });
        }

        V1Secret? secret = null;
        if (spec.Certs is { } certs)
        {
            var data = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
            {
                ["ssl.key"] = Encoding.UTF8.GetBytes(certs.KeyFile),
                ["ssl.crt"] = Encoding.UTF8.GetBytes(certs.CertFile),
                ["notebooks-ca_trust.crt"] = Encoding.UTF8.GetBytes(certs.CaFile),
            };
            foreach (var (name, pem) in certs.TrustBundles)
            {
                // A prefix no certificate key has, so a bundle named "ssl" or "notebooks-ca_trust" cannot replace one. Bundle
                // names are letters, digits, '-' and '_' (the request reader checks), all valid in a Secret key as they are.
                data[$"trust-bundle.{name}.crt"] = Encoding.UTF8.GetBytes(pem);
            }
            secret = new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta { Name = podName, NamespaceProperty = ns, Labels = new Dictionary<string, string>(labels) },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]>(data),
            };
        }

        V1PersistentVolumeClaim? claim = null;
        if (s.StoragePvcEnsure == true)
        {
            var claimLabels = new Dictionary<string, string>(labels);
            claim = new V1PersistentVolumeClaim
            {
                ApiVersion = "v1",
                Kind = "PersistentVolumeClaim",
                Metadata = new V1ObjectMeta
                {
                    Name = pvcName,
                    NamespaceProperty = ns,
                    Labels = claimLabels,
                    Annotations = new Dictionary<string, string>
                    {
                        [LabelPrefix + "hub"] = hub,
                        [LabelPrefix + "username"] = spec.UserName,
                        [LabelPrefix + "servername"] = spec.Name,
                    },
                },
                Spec = new V1PersistentVolumeClaimSpec
                {
                    AccessModes = s.StorageAccessModes is { Count: > 0 } modes ? [.. modes] : ["ReadWriteOnce"],
                    StorageClassName = s.StorageClass,
                    Resources = new V1VolumeResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(s.StorageCapacity!) },
                    },
                },
            };
        }

        return new ServerObjects(pod, service, secret, claim, port, serviceHost,
            TimeSpan.FromSeconds(s.StartTimeout ?? KubernetesPodOptions.DefaultStartTimeout),
            s.DeleteGracePeriod ?? KubernetesPodOptions.DefaultDeleteGracePeriod);
    }

    /// <summary>Values of the name template fields; user and server names are escaped to DNS-safe form.</summary>
    public static Dictionary<string, string> NameFields(BackendStartRequest request)
    {
        var spec = request.Spec;
        var hubSlug = KubeNames.Escape(request.Key.Hub);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["username"] = KubeNames.Escape(spec.UserName),
            ["legacy_escape_username"] = KubeNames.Escape(spec.UserName),
            ["unescaped_username"] = spec.UserName,
            ["servername"] = KubeNames.Escape(spec.Name),
            ["unescaped_servername"] = spec.Name,
            ["userid"] = spec.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["hubname"] = hubSlug,
            ["hubnamespace"] = hubSlug,
            ["startid"] = KubeNames.Escape(request.Key.StartId),
        };
    }

    /// <summary>
    /// The pod (and Service and Secret) name: the template expanded, with the hub's name appended when the template
    /// does not use it, so that two hubs with the same user and server names never collide.
    /// </summary>
    public static string PodName(BackendStartRequest request, KubernetesPodOptions s, IReadOnlyDictionary<string, string> fields)
    {
        if (s.PodNameTemplate is not { } template)
        {
            return KubeNames.DnsLabel(request.ResourceName);
        }
        var name = Expand(template, fields).TrimEnd('-');
        if (!template.Contains("{hubname}", StringComparison.Ordinal) && !template.Contains("{hubnamespace}", StringComparison.Ordinal))
        {
            name += "-" + fields["hubname"];
        }
        return KubeNames.DnsLabel(name);
    }

    /// <summary>Replaces known {field}s; unknown ones stay as they are.</summary>
    public static string Expand(string template, IReadOnlyDictionary<string, string> fields) =>
        KubernetesPodOptionsValidator.TemplateField().Replace(template,
            m => fields.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    /// <summary>Expands the fields in every string value of <paramref name="items"/> (kubespawner expands volumes alike).</summary>
    private static List<T> Expand<T>(List<T> items, IReadOnlyDictionary<string, string> fields)
    {
        var node = JsonSerializer.SerializeToNode(items, KubeJson.Info<List<T>>())!;
        ExpandStrings(node, fields);
        return node.Deserialize(KubeJson.Info<List<T>>())!;
    }

    private static void ExpandStrings(JsonNode node, IReadOnlyDictionary<string, string> fields)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(kv => kv.Key).ToList())
                {
                    if (obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        obj[key] = Expand(v.GetValue<string>(), fields);
                    }
                    else if (obj[key] is { } child)
                    {
                        ExpandStrings(child, fields);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        array[i] = Expand(v.GetValue<string>(), fields);
                    }
                    else if (array[i] is { } child)
                    {
                        ExpandStrings(child, fields);
                    }
                }
                break;
        }
    }

    /// <summary>
    /// The administrator's variables, then the hub's (the hub wins, as in the original Outpost), then what must point
    /// into the pod: JUPYTERHUB_SERVICE_URL with the pod's bind address and port, and the internal_ssl file paths.
    /// </summary>
    private static List<V1EnvVar> Environment(KubernetesPodOptions s, ServerSpec spec, string ip, int port)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in s.Environment ?? [])
        {
            env[k] = v;
        }
        foreach (var (k, v) in spec.Env)
        {
            env[k] = v;
        }
        env.Remove(HubEnv.SslKeyFile);
        env.Remove(HubEnv.SslCertFile);
        env.Remove(HubEnv.SslClientCa);
        if (spec.Certs is not null)
        {
            env[HubEnv.SslKeyFile] = $"{CertsPath}/ssl.key";
            env[HubEnv.SslCertFile] = $"{CertsPath}/ssl.crt";
            env[HubEnv.SslClientCa] = $"{CertsPath}/notebooks-ca_trust.crt";
        }
        if (env.TryGetValue(HubEnv.ServiceUrl, out var serviceUrl) && Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri))
        {
            var scheme = spec.Certs is not null ? "https" : uri.Scheme;
            env[HubEnv.ServiceUrl] = $"{scheme}://{(ip.Contains(':') ? $"[{ip}]" : ip)}:{port}{uri.PathAndQuery}";
        }
        return env.Select(kv => new V1EnvVar { Name = kv.Key, Value = kv.Value }).ToList();
    }

    private static V1ResourceRequirements? Resources(KubernetesPodOptions s)
    {
        var requests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var limits = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (s.CpuGuarantee is { } cpuG)
        {
            requests["cpu"] = CpuQuantity.Format(cpuG);
        }
        if (s.MemGuarantee is { } memG)
        {
            requests["memory"] = ByteQuantity.ToQuantity(memG);
        }
        if (s.CpuLimit is { } cpuL)
        {
            limits["cpu"] = CpuQuantity.Format(cpuL);
        }
        if (s.MemLimit is { } memL)
        {
            limits["memory"] = ByteQuantity.ToQuantity(memL);
        }
        foreach (var (k, v) in s.ExtraResourceGuarantees ?? [])
        {
            requests[k] = v;
        }
        foreach (var (k, v) in s.ExtraResourceLimits ?? [])
        {
            limits[k] = v;
        }
        if (requests.Count == 0 && limits.Count == 0)
        {
            return null;
        }
        return new V1ResourceRequirements
        {
            Requests = requests.Count == 0 ? null : requests.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value)),
            Limits = limits.Count == 0 ? null : limits.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value)),
        };
    }

    private static V1SecurityContext ContainerSecurity(KubernetesPodOptions s)
    {
        var context = s.ContainerSecurityContext is { } configured ? KubeJson.Clone(configured) : new V1SecurityContext();
        context.RunAsUser ??= s.Uid;
        context.RunAsGroup ??= s.Gid;
        context.Privileged ??= s.Privileged;
        context.AllowPrivilegeEscalation ??= s.AllowPrivilegeEscalation ?? false;
        return context;
    }

    private static V1PodSecurityContext? PodSecurity(KubernetesPodOptions s)
    {
        var context = s.PodSecurityContext is { } configured ? KubeJson.Clone(configured) : new V1PodSecurityContext();
        context.FsGroup ??= s.FsGid;
        context.SupplementalGroups ??= s.SupplementalGids is { Count: > 0 } gids ? [.. gids] : null;
        return context == new V1PodSecurityContext() ? null : context;
    }

    private static V1Affinity? Affinity(KubernetesPodOptions s)
    {
        V1NodeAffinity? node = null;
        if (s.NodeAffinityRequired is { Count: > 0 } || s.NodeAffinityPreferred is { Count: > 0 })
        {
            node = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = s.NodeAffinityRequired is { Count: > 0 } required
                    ? new V1NodeSelector { NodeSelectorTerms = required.Select(KubeJson.Clone).ToList() }
                    : null,
                PreferredDuringSchedulingIgnoredDuringExecution = NullIfEmpty(s.NodeAffinityPreferred),
            };
        }
        var pod = PodAffinity(s.PodAffinityRequired, s.PodAffinityPreferred);
        var anti = PodAntiAffinity(s.PodAntiAffinityRequired, s.PodAntiAffinityPreferred);
        return node is null && pod is null && anti is null
            ? null
            : new V1Affinity { NodeAffinity = node, PodAffinity = pod, PodAntiAffinity = anti };
    }

    private static V1PodAffinity? PodAffinity(List<V1PodAffinityTerm>? required, List<V1WeightedPodAffinityTerm>? preferred) =>
        required is { Count: > 0 } || preferred is { Count: > 0 }
            ? new V1PodAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = NullIfEmpty(required),
                PreferredDuringSchedulingIgnoredDuringExecution = NullIfEmpty(preferred),
            }
            : null;

    private static V1PodAntiAffinity? PodAntiAffinity(List<V1PodAffinityTerm>? required, List<V1WeightedPodAffinityTerm>? preferred) =>
        required is { Count: > 0 } || preferred is { Count: > 0 }
            ? new V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = NullIfEmpty(required),
                PreferredDuringSchedulingIgnoredDuringExecution = NullIfEmpty(preferred),
            }
            : null;

    private static List<T>? NullIfEmpty<T>(List<T>? items) => items is { Count: > 0 } ? items.Select(KubeJson.Clone).ToList() : null;
}
