using System.Text.Json.Nodes;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>One listed value of a profile option.</summary>
public sealed class KubernetesProfileChoice
{
    /// <summary>Text shown for this value. Required.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The value used when the start names none for its option. Default: the option's first value.</summary>
    public bool Default { get; set; }

    /// <summary>Settings laid over the profile's, keyed by trait name as in <see cref="KubernetesProfile.KubespawnerOverride"/>.</summary>
    public JsonObject? KubespawnerOverride { get; set; }
}
