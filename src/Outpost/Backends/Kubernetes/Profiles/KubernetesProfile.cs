using System.Text.Json.Nodes;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>
/// One entry of <c>Outpost:Backends:Kubernetes:ProfileList</c>, in KubeSpawner's <c>profile_list</c> shape: what the
/// spawn form shows (name, description, options) and the settings it lays over <c>Pod</c>. A start selects it with
/// <c>user_options.profile</c> set to its <see cref="Slug"/>.
/// </summary>
public sealed class KubernetesProfile
{
    /// <summary>Name shown in the spawn form. Required.</summary>
    public string? DisplayName { get; set; }

    /// <summary>What <c>user_options.profile</c> carries: letters, digits, '.', '_' or '-', at most 63, unique. Required.</summary>
    public string? Slug { get; set; }

    /// <summary>Text shown under the name. Default none.</summary>
    public string? Description { get; set; }

    /// <summary>The profile used when a start names none. Default: the first profile the hub may use.</summary>
    public bool Default { get; set; }

    /// <summary>
    /// Settings this profile lays over <c>Pod</c>, keyed by KubeSpawner's trait names as in <c>misc</c>
    /// (<c>image</c>, <c>cpu_limit</c>, <c>node_selector</c>, <c>extra_pod_config</c> ...). Default none.
    /// </summary>
    public JsonObject? KubespawnerOverride { get; set; }

    /// <summary>Choices the user makes within this profile, by the <c>user_options</c> key that carries each. Default none.</summary>
    public Dictionary<string, KubernetesProfileOption>? ProfileOptions { get; set; }

    /// <summary>
    /// Hubs that see and may use this profile: names, shell globs or regular expressions, as the flavor file's hub
    /// sets match. Default: every hub.
    /// </summary>
    public List<string>? Hubs { get; set; }
}
