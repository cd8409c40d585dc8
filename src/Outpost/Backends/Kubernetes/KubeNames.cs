using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Outpost.Backends.Kubernetes;

/// <summary>
/// Turns user, server and hub names into valid Kubernetes names and label values. A value that is already valid
/// is kept as is; any other is reduced to its safe characters plus a short hash of the original, so that
/// different inputs ("a.b" and "a_b") never map to the same name.
/// </summary>
public static partial class KubeNames
{
    /// <summary>Longest DNS label (RFC 1123), and longest label value.</summary>
    public const int MaxLabel = 63;

    /// <summary>A lowercase DNS-label-safe form of <paramref name="value"/> (may be empty for an empty input).</summary>
    public static string Escape(string value)
    {
        if (value.Length == 0 || (SafeSlug().IsMatch(value) && value.Length <= 40))
        {
            return value;
        }
        var slug = Regex.Replace(value.ToLowerInvariant(), "[^a-z0-9-]+", "-").Trim('-');
        if (slug.Length > 30)
        {
            slug = slug[..30].TrimEnd('-');
        }
        return slug.Length == 0 ? Hash(value) : $"{slug}-{Hash(value)}";
    }

    /// <summary>
    /// A valid DNS-1035 label (what a Service name must be): lowercase alphanumerics and '-', starting with a letter,
    /// at most 63 characters. Template fields are escaped before expansion, so this only repairs the template's own
    /// text; an over-long name keeps its start and gets a hash of the whole.
    /// </summary>
    public static string DnsLabel(string name)
    {
        var slug = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9-]+", "-").Trim('-');
        if (slug.Length == 0 || !char.IsAsciiLetterLower(slug[0]))
        {
            slug = "s-" + slug;
        }
        if (slug.Length > MaxLabel)
        {
            slug = slug[..(MaxLabel - 9)].TrimEnd('-') + "-" + Hash(name);
        }
        return slug;
    }

    /// <summary>A valid label value (at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric, or empty).</summary>
    public static string LabelValue(string value)
    {
        if (value.Length == 0 || (value.Length <= MaxLabel && LabelValuePattern().IsMatch(value)))
        {
            return value;
        }
        var slug = Regex.Replace(value, "[^A-Za-z0-9._-]+", "-").Trim('-', '_', '.');
        if (slug.Length > MaxLabel - 9)
        {
            slug = slug[..(MaxLabel - 9)].TrimEnd('-', '_', '.');
        }
        return slug.Length == 0 ? Hash(value) : $"{slug}-{Hash(value)}";
    }

    /// <summary>True for a valid label value.</summary>
    public static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= MaxLabel && LabelValuePattern().IsMatch(value));

    /// <summary>True for a valid label or annotation key: an optional DNS-subdomain prefix and '/', then a name of at most 63.</summary>
    public static bool IsQualifiedName(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && !IsDnsSubdomain(key[..slash]))
        {
            return false;
        }
        return name.Length is > 0 and <= MaxLabel && QualifiedNamePart().IsMatch(name);
    }

    /// <summary>True for a DNS-1123 label (pod, volume and container names).</summary>
    public static bool IsDnsLabel(string value) => value.Length is > 0 and <= MaxLabel && SafeSlug().IsMatch(value);

    /// <summary>True for a DNS-1123 subdomain (Secret, claim, service-account and priority-class names).</summary>
    public static bool IsDnsSubdomain(string value) =>
        value.Length is > 0 and <= 253 && value.Split('.').All(IsDnsLabel);

    /// <summary>Eight hex digits of SHA-256: short, stable and spread.</summary>
    public static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..8];

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex SafeSlug();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedNamePart();
}
