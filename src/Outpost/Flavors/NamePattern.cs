using System.Text.RegularExpressions;

namespace Outpost.Flavors;

/// <summary>
/// Matches names as the original Outpost does: a list matches its members; a string matches as a
/// full regular expression, else as a shell glob, else literally.
/// </summary>
public sealed class NamePattern
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private readonly IReadOnlyList<string>? _members;
    private readonly Regex? _regex;
    private readonly Regex? _glob;
    private readonly string? _literal;

    private NamePattern(IReadOnlyList<string>? members, string? pattern)
    {
        _members = members;
        if (pattern is null)
        {
            return;
        }
        _literal = pattern;
        _regex = TryRegex($@"\A(?:{pattern})\z");
        _glob = TryRegex(@"\A" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + @"\z");
    }

    public static NamePattern List(IReadOnlyList<string> members) => new(members, null);

    public static NamePattern Pattern(string pattern) => new(null, pattern);

    public bool Matches(string value) => _members is not null
        ? _members.Contains(value, StringComparer.Ordinal)
        : SafeMatch(_regex, value) || SafeMatch(_glob, value) || string.Equals(_literal, value, StringComparison.Ordinal);

    public bool MatchesAny(IEnumerable<string> values) => values.Any(Matches);

    public override string ToString() => _members is not null ? $"[{string.Join(", ", _members)}]" : _literal ?? "";

    private static Regex? TryRegex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool SafeMatch(Regex? regex, string value)
    {
        try
        {
            return regex?.IsMatch(value) ?? false;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
