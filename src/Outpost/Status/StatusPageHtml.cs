using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Outpost.Servers;

namespace Outpost.Status;

/// <summary>
/// Renders a <see cref="StatusReport"/> as one self-contained HTML page: inline CSS, no script, nothing fetched from
/// elsewhere, so it works offline and under <c>Content-Security-Policy: default-src 'none'</c>. Every value from the
/// store is HTML-encoded; only this class's own markup is written raw.
/// </summary>
public static class StatusPageHtml
{
    /// <summary>The policy the page is served with: its own inline style and nothing else.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d232a;background:#fafbfc}
        h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
        .meta{color:#57606a;margin:0}
        table{border-collapse:collapse;background:#fff;margin-bottom:.5em}
        th,td{border:1px solid #d0d7de;padding:.3em .7em;text-align:left;vertical-align:top}
        th{background:#f0f3f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .zero{color:#afb8c1}.none{color:#57606a;font-style:italic}
        .phase{display:inline-block;border-radius:.8em;padding:0 .6em;font-size:.9em;font-weight:600}
        .Pending,.Starting{background:#ddf4ff;color:#0550ae}.Running{background:#dafbe1;color:#116329}
        .Stopping{background:#fff8c5;color:#7d4e00}.Stopped{background:#eaeef2;color:#424a53}.Failed{background:#ffebe9;color:#a40e26}
        td.msg{max-width:60em;white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,monospace;font-size:.9em}
        .warn{color:#a40e26;font-weight:600}
        """;

    private static readonly ServerPhase[] Phases = Enum.GetValues<ServerPhase>();

    public static string Render(StatusReport report)
    {
        var html = new Html();
        html.Raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        html.Raw("<meta name=\"referrer\" content=\"no-referrer\"><title>Outpost status</title><style>").Raw(Style).Raw("</style></head><body>\n");
        html.Raw("<h1>Outpost status</h1><p class=\"meta\">As of ").Text(Time(report.GeneratedAt)).Raw(", by replica ").Text(report.ReplicaId).Raw(".</p>\n");

        ServersByHub(html, report);
        Failures(html, report);
        Backlog(html, report);
        Flavors(html, report);
        Replicas(html, report);
        ServerList(html, report);
        html.Raw("</body></html>\n");
        return html.ToString();
    }

    private static void ServersByHub(Html html, StatusReport report)
    {
        if (!Section(html, "servers-by-hub", "Servers by hub and phase", empty: report.Hubs.Count == 0, "No hubs."))
        {
            return;
        }
        TableHead(html, ["Hub", .. Phases.Select(phase => phase.ToString()), "Total"]);
        foreach (var hub in report.Hubs)
        {
            html.Raw("<tr><td>").Text(hub.Hub).Raw("</td>");
            foreach (var phase in Phases)
            {
                Count(html, hub.ByPhase.GetValueOrDefault(phase));
            }
            Count(html, hub.Total);
            html.Raw("</tr>\n");
        }
        html.Raw("</tbody></table>\n");
    }

    private static void Failures(Html html, StatusReport report)
    {
        if (!Section(html, "failures", "Recent failures", empty: report.Failures.Count == 0, "No failed servers are stored."))
        {
            return;
        }
        TableHead(html, "When", "Hub", "Server", "User", "Phase", "Message");
        foreach (var failure in report.Failures)
        {
            html.Raw("<tr><td>").Text(Time(failure.At)).Raw("<br><span class=\"meta\">").Text(Ago(report.GeneratedAt - failure.At)).Raw("</span></td><td>")
                .Text(failure.Hub).Raw("</td><td>").Text(ServerName(failure.ServerName)).Raw("</td><td>").Text(failure.UserName).Raw("</td><td>");
            Phase(html, failure.Phase);
            if (failure.ExitCode is { } code)
            {
                html.Raw(" exit ").Text(code.ToString(CultureInfo.InvariantCulture));
            }
            html.Raw("</td><td class=\"msg\">").Text(failure.Message).Raw("</td></tr>\n");
        }
        html.Raw("</tbody></table>\n");
    }

    private static void Backlog(Html html, StatusReport report)
    {
        if (!Section(html, "event-backlog", "Event backlog", empty: report.Backlogs.Count == 0, "Every progress event has been delivered."))
        {
            return;
        }
        TableHead(html, "Hub", "Undelivered events", "Oldest waiting");
        foreach (var backlog in report.Backlogs)
        {
            html.Raw("<tr><td>").Text(backlog.Hub).Raw("</td>");
            Count(html, backlog.Count);
            html.Raw("<td class=\"n\">").Text(Duration(backlog.OldestAge)).Raw("</td></tr>\n");
        }
        html.Raw("</tbody></table>\n");
    }

    private static void Flavors(Html html, StatusReport report)
    {
        if (!Section(html, "flavors", "Flavor usage", empty: report.Flavors.Count == 0, "No flavors are configured."))
        {
            return;
        }
        TableHead(html, "Hub", "Flavor", "In use", "Max");
        foreach (var use in report.Flavors)
        {
            html.Raw("<tr><td>").Text(use.Hub).Raw("</td><td>").Text(use.Flavor).Raw("</td>");
            Count(html, use.InUse);
            html.Raw("<td class=\"n\">").Text(use.Max is { } max ? max.ToString(CultureInfo.InvariantCulture) : "unlimited").Raw("</td></tr>\n");
        }
        html.Raw("</tbody></table>\n");
    }

    private static void Replicas(Html html, StatusReport report)
    {
        if (!Section(html, "replicas", "Leader and replicas", empty: report.Replicas.Count == 0, "No replica holds a live lease.", "warn"))
        {
            return;
        }
        if (!report.Replicas.Any(r => r.IsLeader))
        {
            html.Raw("<p class=\"warn\">No replica leads: events are not relayed and servers are not reconciled until one does.</p>\n");
        }
        TableHead(html, "Replica", "Role", "Liveness lease", "Clock");
        foreach (var replica in report.Replicas)
        {
            html.Raw("<tr><td>").Text(replica.Id).Raw(replica.IsThisOne ? " (this one)" : "").Raw("</td><td>").Text(replica.IsLeader ? "leader" : "follower").Raw("</td><td>")
                .Text(replica.LeaseLeft is { } left ? $"expires in {Duration(left)}" : "single process (SQLite)").Raw("</td><td>");
            if (replica.ClockAhead is { } ahead)
            {
                html.Raw("<span class=\"warn\">").Text($"ahead of this one by at least {Duration(ahead)}").Raw("</span>");
            }
            else
            {
                html.Text(replica.IsThisOne ? "reference" : "no skew seen");
            }
            html.Raw("</td></tr>\n");
        }
        html.Raw("</tbody></table>\n");
    }

    private static void ServerList(Html html, StatusReport report)
    {
        if (!Section(html, "servers", "Servers", empty: report.Servers.Count == 0 && report.ServersNotListed == 0, "No servers."))
        {
            return;
        }
        TableHead(html, "Hub", "User", "Server", "Phase", "Backend", "Flavor", "Last change");
        foreach (var server in report.Servers)
        {
            html.Raw("<tr><td>").Text(server.Hub).Raw("</td><td>").Text(server.UserName).Raw("</td><td>").Text(ServerName(server.Name)).Raw("</td><td>");
            Phase(html, server.Phase);
            html.Raw("</td><td>").Text(server.Backend).Raw("</td><td>").Text(server.Flavor ?? "").Raw("</td><td>")
                .Text(Ago(report.GeneratedAt - server.LastUpdate)).Raw("</td></tr>\n");
        }
        html.Raw("</tbody></table>\n");
        if (report.ServersNotListed > 0)
        {
            html.Raw("<p class=\"meta\">").Text($"{report.ServersNotListed} more not listed (Outpost:StatusPage:MaxServersListed).").Raw("</p>\n");
        }
    }

    /// <summary>A section's heading; false, with <paramref name="whenEmpty"/> in its place, when it has nothing to show.</summary>
    private static bool Section(Html html, string id, string title, bool empty, string whenEmpty, string emptyClass = "none")
    {
        html.Raw("<h2 id=\"").Raw(id).Raw("\">").Text(title).Raw("</h2>\n");
        if (empty)
        {
            html.Raw("<p class=\"").Raw(emptyClass).Raw("\">").Text(whenEmpty).Raw("</p>\n");
        }
        return !empty;
    }

    private static void TableHead(Html html, params string[] columns)
    {
        html.Raw("<table><thead><tr>");
        foreach (var column in columns)
        {
            html.Raw("<th>").Text(column).Raw("</th>");
        }
        html.Raw("</tr></thead><tbody>\n");
    }

    private static void Count(Html html, int count) =>
        html.Raw(count == 0 ? "<td class=\"n zero\">" : "<td class=\"n\">").Text(count.ToString(CultureInfo.InvariantCulture)).Raw("</td>");

    private static void Phase(Html html, ServerPhase phase) =>
        html.Raw("<span class=\"phase ").Raw(phase.ToString()).Raw("\">").Text(phase.ToString().ToLowerInvariant()).Raw("</span>");

    private static string ServerName(string name) => name.Length == 0 ? "(default)" : name;

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Ago(TimeSpan age) => $"{Duration(age)} ago";

    /// <summary>A short, rounded duration: "42 s", "7 min", "3 h 5 min", "2 d 4 h".</summary>
    internal static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
        }
        return value.TotalSeconds < 60 ? $"{(int)value.TotalSeconds} s"
            : value.TotalMinutes < 60 ? $"{(int)value.TotalMinutes} min"
            : value.TotalHours < 24 ? $"{(int)value.TotalHours} h {value.Minutes} min"
            : $"{(int)value.TotalDays} d {value.Hours} h";
    }

    /// <summary>A string builder that encodes text and writes markup as given.</summary>
    private sealed class Html
    {
        private readonly StringBuilder _text = new();

        public Html Raw(string markup)
        {
            _text.Append(markup);
            return this;
        }

        public Html Text(string value)
        {
            _text.Append(HtmlEncoder.Default.Encode(value));
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
