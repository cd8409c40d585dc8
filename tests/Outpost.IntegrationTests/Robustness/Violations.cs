using System.Collections.Concurrent;
using System.Text;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// Broken invariants, grouped by kind (e.g. "5xx: POST /services → 500"). A run goes on after a violation, so one
/// failure shows every kind it found, each with its count and the shortest reproductions seen.
/// </summary>
public sealed class Violations
{
    private const int ExamplesPerKind = 3;
    private readonly ConcurrentDictionary<string, Kind> _kinds = new();

    public bool Any => !_kinds.IsEmpty;

    public int Count => _kinds.Values.Sum(k => k.Count);

    public void Add(string kind, string example)
    {
        var entry = _kinds.GetOrAdd(kind, _ => new Kind());
        lock (entry)
        {
            entry.Count++;
            // Keep the shortest examples: the cheapest reproduction of the kind.
            entry.Examples.Add(example);
            entry.Examples.Sort((a, b) => a.Length.CompareTo(b.Length));
            if (entry.Examples.Count > ExamplesPerKind)
            {
                entry.Examples.RemoveAt(entry.Examples.Count - 1);
            }
        }
    }

    public string Report(string header)
    {
        var text = new StringBuilder(header).AppendLine();
        foreach (var (kind, entry) in _kinds.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"- {kind} ({entry.Count}×)");
            foreach (var example in entry.Examples)
            {
                text.AppendLine($"    {example}");
            }
        }
        return text.ToString();
    }

    private sealed class Kind
    {
        public int Count;
        public List<string> Examples { get; } = [];
    }
}
