using System.Text.Json.Nodes;

namespace Outpost.IntegrationTests.Backends.Kubernetes;

/// <summary>
/// Label selectors (see <see cref="FakeLabelSelector"/>) and field selectors (<c>path=v</c>, <c>path!=v</c> over dotted
/// JSON paths such as <c>involvedObject.name</c>) over objects as JSON.
/// </summary>
internal sealed class FakeSelector
{
    private readonly FakeLabelSelector _labels;
    private readonly List<Func<JsonObject, bool>> _fields = [];

    public FakeSelector(string? labelSelector, string? fieldSelector)
    {
        _labels = new FakeLabelSelector(labelSelector);
        foreach (var term in FakeLabelSelector.SplitTerms(fieldSelector))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            var path = parts[0].Trim().Split('.');
            var value = parts.Length > 1 ? parts[1].Trim() : "";
            _fields.Add(o => (Field(o, path) == value) != negate);
        }
    }

    public bool Matches(JsonObject obj) =>
        _labels.Matches(key => obj["metadata"]?["labels"]?[key]?.GetValue<string>()) && _fields.All(t => t(obj));

    private static string? Field(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var part in path)
        {
            node = node?[part];
        }
        return node?.ToString();
    }
}
