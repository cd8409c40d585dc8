using System.Security.Cryptography;
using System.Text;

namespace Outpost.Backends.Containers;

/// <summary>Expands mount templates and checks paths; pure, so a hostile user name can be tried in a unit test.</summary>
public static class ContainerMounts
{
    /// <summary>
    /// Replaces {hub}, {user} and {server} with the values as given. Callers pass <see cref="SafeName"/> values, which
    /// contain only lower-case letters, digits and '-', so the result cannot leave its folder or change the mount syntax.
    /// </summary>
    public static string ExpandTemplate(string template, string hub, string user, string server) =>
        template.Replace("{hub}", hub, StringComparison.Ordinal)
            .Replace("{user}", user, StringComparison.Ordinal)
            .Replace("{server}", server, StringComparison.Ordinal);

    /// <summary>
    /// A readable, safe stand-in for a name: its letters and digits (lower-case, at most 30) and a hash of the whole
    /// name, so names that differ only in dropped characters stay apart ("a.b" and "a_b"). Empty stays "default".
    /// </summary>
    public static string SafeName(string value)
    {
        if (value.Length == 0)
        {
            return "default";
        }
        var builder = new StringBuilder();
        foreach (var c in value.ToLowerInvariant())
        {
            if (builder.Length >= 30)
            {
                break;
            }
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..8];
        return builder.Length == 0 ? hash : $"{builder}-{hash}";
    }

    /// <summary>Absolute, no "." or ".." segment, nothing the Binds syntax would read as a separator.</summary>
    public static bool IsCleanAbsolutePath(string path) =>
        path.StartsWith('/') && !path.Contains(':') && !path.Contains(',') && !path.Contains('\0') &&
        path.Split('/').All(segment => segment is not ("." or ".."));

    /// <summary>Whether <paramref name="path"/> is one of <paramref name="roots"/> or inside one.</summary>
    public static bool IsUnder(string path, IEnumerable<string> roots) =>
        roots.Any(root => path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal));
}
