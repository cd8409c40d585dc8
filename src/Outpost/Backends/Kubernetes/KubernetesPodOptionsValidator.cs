using System.Net;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Checks one layer of <see cref="KubernetesPodOptions"/> (the base settings, a profile, or the hub's misc) and names
/// every bad key through <c>keyOf</c>: <c>Outpost:Backends:Kubernetes:Pod:CpuLimit</c> for configuration,
/// <c>misc.cpu_limit</c> for a start request. <see cref="ValidateResolved"/> adds the rules that need all layers.
/// </summary>
public static partial class KubernetesPodOptionsValidator
{
    /// <summary>Fields a name template may use.</summary>
    public static readonly IReadOnlySet<string> NameFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "username", "servername", "userid", "hubname", "startid", "unescaped_username", "unescaped_servername",
        "legacy_escape_username", "hubnamespace",
    };

    /// <summary>Labels the Outpost sets itself; configuration and hubs may not set keys under these prefixes.</summary>
    public static bool IsReservedLabel(string key) =>
        key.StartsWith(PodTemplate.LabelPrefix, StringComparison.Ordinal) || key == PodTemplate.ManagedByLabel;

    public static void Validate(KubernetesPodOptions o, Func<string, string> keyOf, List<string> errors)
    {
        void Error(string property, string message) => errors.Add($"{keyOf(property)} {message}");

        foreach (var (property, problems) in new[]
                 {
                     (nameof(o.ExtraPodConfig), Problems<V1PodSpec>(o.ExtraPodConfig)),
                     (nameof(o.ExtraContainerConfig), Problems<V1Container>(o.ExtraContainerConfig)),
                 })
        {
            // Each problem starts with the key below the option (".hostNetwork ...") or a space.
            errors.AddRange(problems.Select(problem => keyOf(property) + problem));
        }
        if (o.Image is { } image && (string.IsNullOrWhiteSpace(image) || image.Any(char.IsWhiteSpace)))
        {
            Error(nameof(o.Image), $"must be an image reference without spaces (got '{image}').");
        }
        if (o.ImagePullPolicy is { } policy && policy is not ("Always" or "IfNotPresent" or "Never"))
        {
            Error(nameof(o.ImagePullPolicy), $"must be Always, IfNotPresent or Never (got '{policy}').");
        }
        foreach (var secret in o.ImagePullSecrets ?? [])
        {
            if (!KubeNames.IsDnsSubdomain(secret))
            {
                Error(nameof(o.ImagePullSecrets), $"has '{secret}', which is not a valid Secret name.");
            }
        }
        if (o.Cmd is { } cmd && (cmd.Count == 0 || cmd.Any(string.IsNullOrEmpty)))
        {
            Error(nameof(o.Cmd), "must list a program and its arguments, with no empty item.");
        }
        if (o.Args?.Any(a => a is null) == true)
        {
            Error(nameof(o.Args), "must not contain null.");
        }
        foreach (var (name, _) in o.Environment ?? [])
        {
            if (name.Length == 0 || name.Contains('='))
            {
                Error(nameof(o.Environment), $"has the variable name '{name}', which is empty or contains '='.");
            }
        }
        foreach (var (property, value) in new[] { (nameof(o.CpuGuarantee), o.CpuGuarantee), (nameof(o.CpuLimit), o.CpuLimit) })
        {
            if (value is < 0 or > 4096 || value is { } v && double.IsNaN(v))
            {
                Error(property, $"must be a number of cores between 0 and 4096 (got {value}).");
            }
        }
        foreach (var (property, value) in new[] { (nameof(o.MemGuarantee), o.MemGuarantee), (nameof(o.MemLimit), o.MemLimit) })
        {
            if (value is not null && ByteQuantity.TryParse(value) is null)
            {
                Error(property, $"must be a size such as 512M, 2G or 1073741824 (got '{value}').");
            }
        }
        CheckResources(nameof(o.ExtraResourceGuarantees), o.ExtraResourceGuarantees, Error);
        CheckResources(nameof(o.ExtraResourceLimits), o.ExtraResourceLimits, Error);
        CheckLabels(nameof(o.NodeSelector), o.NodeSelector, reservedAllowed: true, Error);
        CheckLabels(nameof(o.ExtraLabels), o.ExtraLabels, reservedAllowed: false, Error);
        foreach (var (key, _) in o.ExtraAnnotations ?? [])
        {
            if (!KubeNames.IsQualifiedName(key))
            {
                Error(nameof(o.ExtraAnnotations), $"has the key '{key}', which is not a valid annotation key.");
            }
        }
        foreach (var toleration in o.Tolerations ?? [])
        {
            if (toleration.OperatorProperty is { } op && op is not ("Exists" or "Equal"))
            {
                Error(nameof(o.Tolerations), $"has operator '{op}'; use Exists or Equal.");
            }
            if (toleration.Effect is { Length: > 0 } effect && effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            {
                Error(nameof(o.Tolerations), $"has effect '{effect}'; use NoSchedule, PreferNoSchedule or NoExecute.");
            }
            if (toleration.OperatorProperty == "Exists" && !string.IsNullOrEmpty(toleration.Value))
            {
                Error(nameof(o.Tolerations), $"has a value for key '{toleration.Key}' with operator Exists.");
            }
        }
        CheckNodeTerms(nameof(o.NodeAffinityRequired), o.NodeAffinityRequired, Error);
        CheckNodeTerms(nameof(o.NodeAffinityPreferred), o.NodeAffinityPreferred?.Select(p => p.Preference).OfType<V1NodeSelectorTerm>().ToList(), Error);
        CheckWeights(nameof(o.NodeAffinityPreferred), o.NodeAffinityPreferred?.Select(p => p.Weight), Error);
        CheckPodTerms(nameof(o.PodAffinityRequired), o.PodAffinityRequired, Error);
        CheckPodTerms(nameof(o.PodAntiAffinityRequired), o.PodAntiAffinityRequired, Error);
        CheckPodTerms(nameof(o.PodAffinityPreferred), o.PodAffinityPreferred?.Select(p => p.PodAffinityTerm).OfType<V1PodAffinityTerm>().ToList(), Error);
        CheckPodTerms(nameof(o.PodAntiAffinityPreferred), o.PodAntiAffinityPreferred?.Select(p => p.PodAffinityTerm).OfType<V1PodAffinityTerm>().ToList(), Error);
        CheckWeights(nameof(o.PodAffinityPreferred), o.PodAffinityPreferred?.Select(p => p.Weight), Error);
        CheckWeights(nameof(o.PodAntiAffinityPreferred), o.PodAntiAffinityPreferred?.Select(p => p.Weight), Error);
        foreach (var (property, value) in new[]
                 {
                     (nameof(o.ServiceAccount), o.ServiceAccount), (nameof(o.PriorityClassName), o.PriorityClassName),
                     (nameof(o.SchedulerName), o.SchedulerName), (nameof(o.StorageClass), o.StorageClass),
                 })
        {
            if (value is not null && !KubeNames.IsDnsSubdomain(value))
            {
                Error(property, $"must be a valid Kubernetes object name (got '{value}').");
            }
        }
        foreach (var (property, value) in new[] { (nameof(o.Uid), o.Uid), (nameof(o.Gid), o.Gid), (nameof(o.FsGid), o.FsGid) })
        {
            if (value is < 0 or > uint.MaxValue)
            {
                Error(property, $"must be a user or group id between 0 and 4294967295 (got {value}).");
            }
        }
        if (o.SupplementalGids?.Any(g => g is < 0 or > uint.MaxValue) == true)
        {
            Error(nameof(o.SupplementalGids), "must hold group ids between 0 and 4294967295.");
        }
        foreach (var volume in o.Volumes ?? [])
        {
            if (volume.Name is null || !KubeNames.IsDnsLabel(volume.Name))
            {
                Error(nameof(o.Volumes), $"has a volume named '{volume.Name}'; a volume needs a name of lowercase letters, digits and '-'.");
            }
        }
        foreach (var mount in o.VolumeMounts ?? [])
        {
            if (string.IsNullOrEmpty(mount.Name) || mount.MountPath is null || !mount.MountPath.StartsWith('/'))
            {
                Error(nameof(o.VolumeMounts), $"has a mount of '{mount.Name}' at '{mount.MountPath}'; a mount needs a volume name and an absolute path.");
            }
        }
        foreach (var (property, containers) in new[] { (nameof(o.InitContainers), o.InitContainers), (nameof(o.ExtraContainers), o.ExtraContainers) })
        {
            foreach (var container in containers ?? [])
            {
                if (container.Name is null || !KubeNames.IsDnsLabel(container.Name) || container.Name == PodTemplate.ContainerName)
                {
                    Error(property, $"has a container named '{container.Name}'; it needs its own name of lowercase letters, digits and '-'.");
                }
                if (string.IsNullOrWhiteSpace(container.Image))
                {
                    Error(property, $"has the container '{container.Name}' without an image.");
                }
            }
        }
        if (o.StorageCapacity is { } capacity && !Quantity().IsMatch(capacity))
        {
            Error(nameof(o.StorageCapacity), $"must be a quantity such as 10Gi (got '{capacity}').");
        }
        foreach (var mode in o.StorageAccessModes ?? [])
        {
            if (mode is not ("ReadWriteOnce" or "ReadOnlyMany" or "ReadWriteMany" or "ReadWriteOncePod"))
            {
                Error(nameof(o.StorageAccessModes), $"has '{mode}'; use ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.");
            }
        }
        if (o.StartTimeout is < 1 or > 86400)
        {
            Error(nameof(o.StartTimeout), $"must be between 1 and 86400 seconds (got {o.StartTimeout}).");
        }
        if (o.DeleteGracePeriod is < 0 or > 3600)
        {
            Error(nameof(o.DeleteGracePeriod), $"must be between 0 and 3600 seconds (got {o.DeleteGracePeriod}).");
        }
        if (o.Port is < 1 or > 65535)
        {
            Error(nameof(o.Port), $"must be a TCP port between 1 and 65535 (got {o.Port}).");
        }
        if (o.Ip is { } ip && !IPAddress.TryParse(ip, out _))
        {
            Error(nameof(o.Ip), $"must be an IP address (got '{ip}').");
        }
        CheckTemplate(nameof(o.PodNameTemplate), o.PodNameTemplate, NameFields, Error);
        CheckTemplate(nameof(o.PvcNameTemplate), o.PvcNameTemplate, NameFields, Error);
        CheckTemplate(nameof(o.DnsNameTemplate), o.DnsNameTemplate, new HashSet<string> { "name", "namespace" }, Error);
    }

    /// <summary>Rules over the merged settings: guarantees within limits, mounts of existing volumes, storage needs a size.</summary>
    public static void ValidateResolved(KubernetesPodOptions o, Func<string, string> keyOf, List<string> errors)
    {
        if (o.CpuGuarantee is { } cpuG && o.CpuLimit is { } cpuL && cpuG > cpuL)
        {
            errors.Add($"{keyOf(nameof(o.CpuGuarantee))} ({cpuG}) is above {keyOf(nameof(o.CpuLimit))} ({cpuL}).");
        }
        if (o.MemGuarantee is { } memG && o.MemLimit is { } memL &&
            ByteQuantity.TryParse(memG) is { } g && ByteQuantity.TryParse(memL) is { } l && g > l)
        {
            errors.Add($"{keyOf(nameof(o.MemGuarantee))} ({memG}) is above {keyOf(nameof(o.MemLimit))} ({memL}).");
        }
        var volumes = (o.Volumes ?? []).Select(v => v.Name).ToHashSet();
        foreach (var mount in o.VolumeMounts ?? [])
        {
            if (mount.Name is not null && !volumes.Contains(mount.Name))
            {
                errors.Add($"{keyOf(nameof(o.VolumeMounts))} mounts '{mount.Name}', which is not in {keyOf(nameof(o.Volumes))}.");
            }
        }
        if (o.StoragePvcEnsure == true && o.StorageCapacity is null)
        {
            errors.Add($"{keyOf(nameof(o.StoragePvcEnsure))} is true but {keyOf(nameof(o.StorageCapacity))} is not set.");
        }
    }

    private static void CheckResources(string property, Dictionary<string, string>? resources, Action<string, string> error)
    {
        foreach (var (name, value) in resources ?? [])
        {
            if (!KubeNames.IsQualifiedName(name))
            {
                error(property, $"has the resource name '{name}', which is not valid.");
            }
            if (!Quantity().IsMatch(value))
            {
                error(property, $"has '{value}' for '{name}', which is not a quantity such as 1, 500m or 2Gi.");
            }
        }
    }

    private static void CheckLabels(string property, Dictionary<string, string>? labels, bool reservedAllowed, Action<string, string> error)
    {
        foreach (var (key, value) in labels ?? [])
        {
            if (!KubeNames.IsQualifiedName(key))
            {
                error(property, $"has the key '{key}', which is not a valid label key.");
            }
            else if (!reservedAllowed && IsReservedLabel(key))
            {
                error(property, $"has the key '{key}', which the Outpost sets itself.");
            }
            if (!KubeNames.IsLabelValue(value))
            {
                error(property, $"has '{value}' for '{key}', which is not a valid label value (63 characters of A-Z, a-z, 0-9, '.', '_', '-').");
            }
        }
    }

    private static void CheckNodeTerms(string property, List<V1NodeSelectorTerm>? terms, Action<string, string> error)
    {
        foreach (var requirement in (terms ?? []).SelectMany(t => (t.MatchExpressions ?? []).Concat(t.MatchFields ?? [])))
        {
            if (string.IsNullOrEmpty(requirement.Key) ||
                requirement.OperatorProperty is not ("In" or "NotIn" or "Exists" or "DoesNotExist" or "Gt" or "Lt"))
            {
                error(property, $"has a requirement on '{requirement.Key}' with operator '{requirement.OperatorProperty}'; use In, NotIn, Exists, DoesNotExist, Gt or Lt.");
            }
        }
    }

    private static void CheckPodTerms(string property, List<V1PodAffinityTerm>? terms, Action<string, string> error)
    {
        foreach (var term in terms ?? [])
        {
            if (string.IsNullOrEmpty(term.TopologyKey))
            {
                error(property, "has a term without topologyKey.");
            }
        }
    }

    /// <summary>Why extra pod or container fields would not apply, each message without the option's own name.</summary>
    private static List<string> Problems<T>(System.Text.Json.Nodes.JsonObject? changes) where T : class, new()
    {
        var errors = new List<string>();
        ExtraConfig.Validate<T>(changes, "", errors);
        return errors;
    }

    private static void CheckWeights(string property, IEnumerable<int>? weights, Action<string, string> error)
    {
        if (weights?.Any(w => w is not (>= 1 and <= 100)) == true)
        {
            error(property, "has a weight outside 1..100.");
        }
    }

    private static void CheckTemplate(string property, string? template, IReadOnlySet<string> fields, Action<string, string> error)
    {
        if (template is null)
        {
            return;
        }
        foreach (Match match in TemplateField().Matches(template))
        {
            if (!fields.Contains(match.Groups[1].Value))
            {
                error(property, $"uses the unknown field {{{match.Groups[1].Value}}}; known fields: {string.Join(", ", fields.Select(f => "{" + f + "}"))}.");
            }
        }
        if (string.IsNullOrWhiteSpace(TemplateField().Replace(template, "x")))
        {
            error(property, "is empty.");
        }
    }

    [GeneratedRegex("^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$")]
    private static partial Regex Quantity();

    [GeneratedRegex("\\{([^{}]*)\\}")]
    internal static partial Regex TemplateField();
}
