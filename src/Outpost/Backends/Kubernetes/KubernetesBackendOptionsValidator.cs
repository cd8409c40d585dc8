using Microsoft.Extensions.Options;

namespace Outpost.Backends.Kubernetes;

/// <summary>Checks the Kubernetes backend's options at start-up and names every bad key as <c>Outpost:Backends:Kubernetes:...</c>.</summary>
public sealed class KubernetesBackendOptionsValidator : IValidateOptions<KubernetesBackendOptions>
{
    public const string Prefix = "Outpost:Backends:Kubernetes";

    public ValidateOptionsResult Validate(string? name, KubernetesBackendOptions options)
    {
        var errors = new List<string>();
        if (options.KubeConfigPath is { } path && !File.Exists(path))
        {
            errors.Add($"{Prefix}:KubeConfigPath '{path}' does not exist.");
        }
        if (options.Context is not null && options.KubeConfigPath is null)
        {
            errors.Add($"{Prefix}:Context is set but {Prefix}:KubeConfigPath is not.");
        }
        if (options.Namespace is { } ns && !KubeNames.IsDnsLabel(ns))
        {
            errors.Add($"{Prefix}:Namespace '{ns}' is not a valid namespace name.");
        }
        if (options.NamespaceTemplate is { } template)
        {
            if (options.Namespace is not null)
            {
                errors.Add($"{Prefix}:NamespaceTemplate and {Prefix}:Namespace are both set; set one of them.");
            }
            var unknown = NamespaceNames.Fields(template).Where(f => f is not ("hub" or "username")).ToList();
            if (unknown.Count > 0)
            {
                errors.Add($"{Prefix}:NamespaceTemplate '{template}' uses {string.Join(", ", unknown.Select(f => "{" + f + "}"))}; only {{hub}} and {{username}} are known.");
            }
            // The template's own text is not repaired (only the escaped fields are): it must already fit a namespace name.
            else if (!KubeNames.IsDnsLabel(template.Replace("{hub}", "h", StringComparison.Ordinal).Replace("{username}", "u", StringComparison.Ordinal)))
            {
                errors.Add($"{Prefix}:NamespaceTemplate '{template}' does not give a namespace name (lowercase letters, digits and '-', starting with a letter).");
            }
        }
        if (!KubeNames.IsDnsLabel(options.InstanceName))
        {
            errors.Add($"{Prefix}:InstanceName '{options.InstanceName}' must be a DNS label (lowercase letters, digits, '-', at most 63).");
        }
        if (options.RequestTimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"{Prefix}:RequestTimeoutSeconds must be between 1 and 600 (got {options.RequestTimeoutSeconds}).");
        }
        if (options.WatchTimeoutSeconds is < 10 or > 3600)
        {
            errors.Add($"{Prefix}:WatchTimeoutSeconds must be between 10 and 3600 (got {options.WatchTimeoutSeconds}).");
        }
        KubernetesPodOptionsValidator.Validate(options.Pod, p => $"{Prefix}:Pod:{p}", errors);
        KubernetesPodOptionsValidator.ValidateResolved(options.Pod, p => $"{Prefix}:Pod:{p}", errors);
        foreach (var (profileName, profile) in options.Profiles)
        {
            var prefix = $"{Prefix}:Profiles:{profileName}";
            KubernetesPodOptionsValidator.Validate(profile, p => $"{prefix}:{p}", errors);
            KubernetesPodOptionsValidator.ValidateResolved(
                KubernetesPodOptions.Merge(options.Pod, profile), p => $"{prefix}:{p} (merged with {Prefix}:Pod)", errors);
        }
        Profiles.ProfileListValidator.Validate(options, Prefix, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
