namespace Outpost.Bench;

/// <summary>
/// Sections of <c>RESULTS.md</c> that another bench writes between its own markers (<c>bench/spawner/run</c>,
/// <c>bench/hubscale/run</c>, <c>bench/KubernetesWatch p7</c>, P11 of this bench with <c>--p11</c>), and P11's rows of the
/// summary table:
/// carried over unchanged when this bench rewrites the file, so each bench keeps its latest figures.
/// </summary>
public static class KeptSections
{
    private static readonly (string Begin, string End)[] Markers =
    [
        ("<!-- bench/hubscale/run: begin -->", "<!-- bench/hubscale/run: end -->"),
        ("<!-- bench/KubernetesWatch p7: begin -->", "<!-- bench/KubernetesWatch p7: end -->"),
        ("<!-- bench/spawner/run: begin -->", "<!-- bench/spawner/run: end -->"),
        (Backends.BackendsReport.Begin, Backends.BackendsReport.End),
    ];

    /// <summary><paramref name="markdown"/> followed by every marked section found in <paramref name="previous"/>.</summary>
    public static string Append(string markdown, string? previous)
    {
        if (previous is null)
        {
            return markdown;
        }
        foreach (var (begin, end) in Markers)
        {
            var from = previous.IndexOf(begin, StringComparison.Ordinal);
            var to = from < 0 ? -1 : previous.IndexOf(end, from, StringComparison.Ordinal);
            if (to > from)
            {
                markdown = markdown.TrimEnd('\n') + "\n\n" + previous[from..(to + end.Length)] + "\n";
            }
        }
        var rows = Backends.BackendsReport.CarriedRows(previous);
        return rows.Count > 0 ? Backends.BackendsReport.InsertSummaryRows(markdown, rows) : markdown;
    }
}
