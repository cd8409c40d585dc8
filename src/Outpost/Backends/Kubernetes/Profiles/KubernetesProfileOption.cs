namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>One choice within a profile (KubeSpawner's <c>profile_options.&lt;key&gt;</c>), e.g. the image.</summary>
public sealed class KubernetesProfileOption
{
    /// <summary>Label of the choice in the spawn form. Required.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// The values the user picks from, by the key <c>user_options</c> carries. Ordered by key (the configuration
    /// sorts them), so mark one <see cref="KubernetesProfileChoice.Default"/> when the first is not meant.
    /// </summary>
    public Dictionary<string, KubernetesProfileChoice>? Choices { get; set; }

    /// <summary>A free-text value the user may type instead of a listed choice. Default none.</summary>
    public KubernetesUnlistedChoice? UnlistedChoice { get; set; }
}
