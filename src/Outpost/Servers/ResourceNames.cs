using System.Security.Cryptography;
using System.Text;

namespace Outpost.Servers;

/// <summary>
/// Names for what backends create (pods, jobs, folders): a valid DNS label of at most 63 characters,
/// readable (hub, user, server) and unique thanks to a hash of the full key, so "alice" of two hubs,
/// or names that only differ in characters a slug drops, never collide.
/// </summary>
public static class ResourceNames
{
    public static string ForServer(ServerKey key, string userName)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{key.Hub}\n{userName}\n{key.Name}\n{key.StartId}")))[..8];
        // "jupyter-" (8) + 12 + 1 + 20 + 1 + 12 + "-" + hash (9) = 63, the DNS label limit.
        var parts = new[] { Slug(key.Hub, 12), Slug(userName, 20), Slug(key.Name, 12) }.Where(p => p.Length > 0);
        return $"jupyter-{string.Join('-', parts.Append(hash))}";
    }

    /// <summary>A per-user name (hub and user only), for what outlives one server, such as a home folder.</summary>
    public static string ForUser(string hub, string userName)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hub}\n{userName}")))[..8];
        var parts = new[] { Slug(hub, 20), Slug(userName, 30) }.Where(p => p.Length > 0);
        return string.Join('-', parts.Append(hash));
    }

    private static string Slug(string value, int maxLength)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
        {
            builder.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        }
        var slug = builder.ToString().Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }
        return slug.Length <= maxLength ? slug : slug[..maxLength].TrimEnd('-');
    }
}
