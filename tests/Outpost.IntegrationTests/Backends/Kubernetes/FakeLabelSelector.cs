namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// A label selector as the API server applies it (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>,
/// <c>k in (a,b)</c>, <c>k notin (a,b)</c>), written once for both fakes: the wire-level one here and the unit tests'
/// in-memory one (Outpost.Tests compiles this file too). The Outpost only builds selectors, so there is no product
/// matcher to reuse.
/// </summary>
internal sealed class FakeLabelSelector
{
    private readonly List<Func<Func<string, string?>, bool>> _tests;

    public FakeLabelSelector(string? selector) => _tests = SplitTerms(selector).Select(Test).ToList();

    /// <summary>Whether an object whose label values <paramref name="label"/> looks up (null: no such label) matches.</summary>
    public bool Matches(Func<string, string?> label) => _tests.All(t => t(label));

    public bool Matches(IDictionary<string, string>? labels) =>
        Matches(key => labels is not null && labels.TryGetValue(key, out var value) ? value : null);

    /// <summary>Splits a selector on the commas that are not inside a parenthesised set.</summary>
    public static IEnumerable<string> SplitTerms(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            yield break;
        }
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            depth += selector[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (selector[i] == ',' && depth == 0)
            {
                yield return selector[start..i];
                start = i + 1;
            }
        }
        yield return selector[start..];
    }

    private static Func<Func<string, string?>, bool> Test(string term)
    {
        if (term.Contains(" notin ", StringComparison.Ordinal) || term.Contains(" in ", StringComparison.Ordinal))
        {
            var notIn = term.Contains(" notin ", StringComparison.Ordinal);
            var parts = term.Split(notIn ? " notin " : " in ", 2);
            var key = parts[0].Trim();
            var set = parts[1].Trim().TrimStart('(').TrimEnd(')').Split(',').Select(v => v.Trim()).ToHashSet();
            return label => label(key) is { } v ? set.Contains(v) != notIn : notIn;
        }
        if (term.Contains("!=", StringComparison.Ordinal))
        {
            var parts = term.Split("!=", 2);
            return label => label(parts[0].Trim()) != parts[1].Trim();
        }
        if (term.Contains('='))
        {
            var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            return label => label(parts[0].Trim()) == parts[1].Trim();
        }
        if (term.StartsWith('!'))
        {
            return label => label(term[1..].Trim()) is null;
        }
        return label => label(term.Trim()) is not null;
    }
}
