using System.Text.RegularExpressions;

namespace Outpost.Backends.Kubernetes;

/// <summary>The namespace of a server when <see cref="KubernetesBackendOptions.NamespaceTemplate"/> is set.</summary>
public static partial class NamespaceNames
{
    /// <summary>The {fields} a template uses.</summary>
    public static IEnumerable<string> Fields(string template) => FieldPattern().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>
    /// The template with {hub} and {username} filled in, each escaped to DNS-label text first; a result longer than a
    /// namespace name may be keeps its start and gets a hash of the whole, so two users never share a namespace by accident.
    /// </summary>
    public static string Render(string template, string hub, string user) =>
        KubeNames.DnsLabel(template
            .Replace("{hub}", KubeNames.Escape(hub), StringComparison.Ordinal)
            .Replace("{username}", KubeNames.Escape(user), StringComparison.Ordinal));

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex FieldPattern();
}
