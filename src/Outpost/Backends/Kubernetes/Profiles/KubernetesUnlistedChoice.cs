using System.Text.Json.Nodes;

namespace Outpost.Backends.Kubernetes.Profiles;

/// <summary>
/// A free-text value for a profile option (KubeSpawner's <c>unlisted_choice</c>). The start selects it with
/// <c>user_options.&lt;option&gt;</c> = "unlisted_choice" and sends the text as <c>user_options.&lt;option&gt;--unlisted-choice</c>.
/// </summary>
public sealed class KubernetesUnlistedChoice
{
    /// <summary>Whether users may type a value. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Label of the text field. Default "Other".</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// A regular expression the whole text must match. Required when <see cref="Enabled"/>: the text becomes a pod
    /// setting, so the administrator says which texts are fine (KubeSpawner leaves it optional).
    /// </summary>
    public string? ValidationRegex { get; set; }

    /// <summary>What the form and the refusal say when the text does not match. Default: the expression itself.</summary>
    public string? ValidationMessage { get; set; }

    /// <summary>Settings laid over the profile's; "{value}" in any string is replaced by the text. Required when enabled.</summary>
    public JsonObject? KubespawnerOverride { get; set; }
}
