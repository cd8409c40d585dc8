using System.Globalization;
using System.Text;

namespace Outpost.Admin;

/// <summary>What the admin commands print for a person: aligned tables and a key-value block, times in UTC.</summary>
public static class AdminOutput
{
    private const int MessageWidth = 60;

    public static string Servers(IReadOnlyList<AdminServer> servers) => servers.Count == 0
        ? "No servers.\n"
        : TextTable.Render(
            ["HUB", "NAME", "START ID", "USER", "PHASE", "BACKEND", "FLAVOR", "SERVICE", "STARTED (UTC)"],
            servers.Select(s => (IReadOnlyList<string>)[
                s.Hub, AdminApi.DisplayName(s.Name), s.StartId, s.User, s.Phase, s.Backend, s.Flavor ?? "-", Or(s.Service), Time(s.StartDate)]));

    public static string Server(AdminServerDetail detail)
    {
        var s = detail.Server;
        var text = new StringBuilder();
        text.Append(TextTable.Render(["Server", $"{s.Hub}/{AdminApi.DisplayName(s.Name)}/{s.StartId}"],
        [
            ["User", $"{s.User} (id {detail.UserId.ToString(CultureInfo.InvariantCulture)})"],
            ["Phase", s.Phase],
            ["Backend", s.Backend],
            ["Flavor", s.Flavor ?? "-"],
            ["Service", Or(s.Service)],
            ["Resource", detail.ResourceName],
            ["Started", Time(s.StartDate)],
            ["Last update", Time(s.LastUpdate)],
            ["Ends", detail.EndDate is { } end ? Time(end) : "-"],
            ["Exit code", detail.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"],
            ["Error", Or(detail.Error)],
            ["Replica", Or(detail.Owner)],
            ["Handle", Or(detail.Handle)],
            ["Events", $"{detail.Events.Count.ToString(CultureInfo.InvariantCulture)} shown, {detail.Waiting.ToString(CultureInfo.InvariantCulture)} waiting for the hub"],
        ]));
        if (detail.Events.Count > 0)
        {
            text.Append('\n').Append(EventTable(detail.Events, withServer: false));
        }
        return text.ToString();
    }

    public static string Events(AdminEventList list)
    {
        var waiting = $"{list.Waiting.ToString(CultureInfo.InvariantCulture)} waiting in the outbox.\n";
        return list.Events.Count == 0 ? $"No events.\n{waiting}" : EventTable(list.Events, withServer: true) + waiting;
    }

    private static string EventTable(IReadOnlyList<AdminEvent> events, bool withServer)
    {
        IReadOnlyList<string> headers = withServer
            ? ["ID", "SERVER", "CREATED (UTC)", "PROGRESS", "STATE", "ATTEMPTS", "MESSAGE"]
            : ["ID", "CREATED (UTC)", "PROGRESS", "STATE", "ATTEMPTS", "MESSAGE"];
        return TextTable.Render(headers, events.Select(e =>
        {
            List<string> row = [e.Id.ToString(CultureInfo.InvariantCulture)];
            if (withServer)
            {
                row.Add(e.Server);
            }
            row.AddRange(
            [
                Time(e.CreatedAt),
                e.Progress?.ToString(CultureInfo.InvariantCulture) ?? "-",
                e.State,
                e.Attempts.ToString(CultureInfo.InvariantCulture),
                Shorten(e.Failed ? $"(failed) {e.Message}" : e.Message),
            ]);
            return (IReadOnlyList<string>)row;
        }));
    }

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Or(string? value) => string.IsNullOrEmpty(value) ? "-" : value.ReplaceLineEndings(" ");

    private static string Shorten(string message)
    {
        message = message.ReplaceLineEndings(" ");
        return message.Length <= MessageWidth ? message : string.Concat(message.AsSpan(0, MessageWidth - 1), "…");
    }
}
