using System.Text;

namespace Outpost.Hubs;

/// <summary>
/// Hub names are compared ordinally everywhere (Basic-auth user names, stored rows, flavor sets). Configuration keys
/// are not: .NET configuration merges keys that differ only in case, so <c>teaching</c> in the config file and
/// <c>TEACHING</c> in the environment silently become one hub with the second one's password. Names that would merge
/// (or that only Unicode compatibility forms tell apart) are therefore refused, at start-up and by <c>hub add</c>.
/// </summary>
public static class HubNames
{
    public const string SectionPath = "Outpost:Hubs";

    /// <summary>
    /// Every hub name as written in each configuration source. The merged configuration shows one spelling per
    /// case-insensitive key, hiding a collision; each provider still has the spelling it read.
    /// </summary>
    public static IReadOnlyList<string> ConfiguredSpellings(IConfiguration configuration)
    {
        var names = configuration is IConfigurationRoot root
            ? root.Providers.SelectMany(p => p.GetChildKeys([], SectionPath))
            : configuration.GetSection(SectionPath).GetChildren().Select(c => c.Key);
        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Groups of two or more distinct names that collide, each sorted ordinally.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Collisions(IEnumerable<string> names) =>
        [.. names.Distinct(StringComparer.Ordinal)
            .GroupBy(CollisionKey, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<string>)[.. g.Order(StringComparer.Ordinal)])];

    /// <summary>Whether two different names would be taken for one hub by configuration or a reader of a list.</summary>
    public static bool Collide(string a, string b) =>
        !string.Equals(a, b, StringComparison.Ordinal) && string.Equals(CollisionKey(a), CollisionKey(b), StringComparison.Ordinal);

    /// <summary>
    /// The name in Unicode compatibility form (NFKC), upper-cased without culture. The Outpost runs with invariant
    /// globalization, where <see cref="string.Normalize(NormalizationForm)"/> has no Unicode tables and leaves
    /// non-ASCII text as it is; so the compatibility forms that look like valid hub names, the full-width letters,
    /// digits and signs (U+FF01-U+FF5E), are folded here. Every other non-ASCII name already fails the hub name rule
    /// (<see cref="HubsOptionsValidator.HubName"/>).
    /// </summary>
    public static string CollisionKey(string name)
    {
        string normalized;
        try
        {
            normalized = name.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            normalized = name; // not valid UTF-16 (a lone surrogate): such a name fails the name rule anyway
        }
        return string.Create(normalized.Length, normalized, static (folded, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                folded[i] = char.ToUpperInvariant(c is >= '\uFF01' and <= '\uFF5E' ? (char)(c - 0xFEE0) : c);
            }
        });
    }
}
