using System.Text.Json.Nodes;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// Label selectors (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>) and
/// field selectors (<c>path=v</c>, <c>path!=v</c> over dotted JSON paths such as <c>involvedObject.name</c>).
/// </summary>
internal sealed class FakeSelector
{
    private readonly List<Func<JsonObject, bool>> _tests = [];

    public FakeSelector(string? labelSelector, string? fieldSelector)
    {
        foreach (var term in SplitTerms(labelSelector))
        {
            _tests.Add(LabelTest(term));
        }
        foreach (var term in SplitTerms(fieldSelector))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            var path = parts[0].Trim().Split('.');
            var value = parts.Length > 1 ? parts[1].Trim() : "";
            _tests.Add(o => (Field(o, path) == value) != negate);
        }
    }

    public bool Matches(JsonObject obj) => _tests.All(t => t(obj));

    private static Func<JsonObject, bool> LabelTest(string term)
    {
        string? Label(JsonObject o, string key) => o["metadata"]?["labels"]?[key]?.GetValue<string>();
        if (term.Contains(" notin ", StringComparison.Ordinal) || term.Contains(" in ", StringComparison.Ordinal))
        {
            var notIn = term.Contains(" notin ", StringComparison.Ordinal);
            var parts = term.Split(notIn ? " notin " : " in ", 2);
            var key = parts[0].Trim();
            var set = parts[1].Trim().TrimStart('(').TrimEnd(')').Split(',').Select(v => v.Trim()).ToHashSet();
            return o => Label(o, key) is { } v ? set.Contains(v) != notIn : notIn;
        }
        if (term.Contains("!=", StringComparison.Ordinal))
        {
            var parts = term.Split("!=", 2);
            return o => Label(o, parts[0].Trim()) != parts[1].Trim();
        }
        if (term.Contains('='))
        {
            var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            return o => Label(o, parts[0].Trim()) == parts[1].Trim();
        }
        if (term.StartsWith('!'))
        {
            return o => Label(o, term[1..].Trim()) is null;
        }
        return o => Label(o, term.Trim()) is not null;
    }

    private static string? Field(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var part in path)
        {
            node = node?[part];
        }
        return node?.ToString();
    }

    /// <summary>Splits on commas that are not inside a parenthesised set.</summary>
    private static IEnumerable<string> SplitTerms(string? selector)
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
}
