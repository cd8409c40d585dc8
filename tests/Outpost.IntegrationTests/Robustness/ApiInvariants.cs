using System.Text.Json;

namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// What must hold for any input: every answer is below 500 and JSON where the API promises JSON; the Outpost stays
/// up; a refused start leaves no row, no folder under <c>{DataDir}/servers</c> and no process; an accepted server
/// can be polled and stopped through the API, and is gone afterwards.
/// </summary>
public static class ApiInvariants
{
    /// <summary>What the Outpost holds at one moment, from outside.</summary>
    public sealed record Snapshot(
        IReadOnlySet<(Credentials Hub, string Name, string StartId)> Rows,
        IReadOnlySet<string> Folders,
        IReadOnlySet<int> Processes);

    public static async Task<Snapshot> TakeAsync(OutpostUnderTest outpost)
    {
        var rows = new HashSet<(Credentials, string, string)>();
        foreach (var hub in new[] { Credentials.Hub1, Credentials.Hub2 })
        {
            foreach (var (name, startId) in await outpost.ListAsync(hub) ?? [])
            {
                rows.Add((hub, name, startId));
            }
        }
        return new Snapshot(rows, outpost.ServerFolders(), outpost.ServerProcesses());
    }

    /// <summary>Largest refusal (4xx) body: an answer lists a bounded number of problems, whatever the request held.</summary>
    public const int MaxRefusalBytes = 64 * 1024;

    /// <summary>No 5xx, an answer at all, a JSON body where the API promises one, and a refusal of bounded size.</summary>
    public static void CheckAnswer(RawRequest request, RawAnswer answer, Violations violations)
    {
        var what = $"{MethodKind(request.Method)} {RouteOf(request.Path)}";
        if (answer.Status == 0)
        {
            violations.Add($"no answer: {what}", $"{request.Describe()}  →  {answer}");
        }
        else if (answer.Status >= 500)
        {
            violations.Add($"5xx: {what} → {answer.Status}", $"{request.Describe()}  →  {answer}");
        }
        else if (PromisesJson(request, answer) && !answer.IsJson)
        {
            violations.Add($"no JSON body: {what} → {answer.Status}", $"{request.Describe()}  →  {answer}");
        }
        if (answer.Status is >= 400 and < 500 && answer.Body.Length > MaxRefusalBytes)
        {
            violations.Add($"refusal over {MaxRefusalBytes} bytes: {what} → {answer.Status}", $"{request.Describe()}  →  {answer.Body.Length} bytes: {answer}");
        }
    }

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) until the Outpost holds nothing beyond <paramref name="before"/>:
    /// async stops finish in the background, so a batch that ends with them is judged once they are done.
    /// </summary>
    public static async Task SettleAsync(OutpostUnderTest outpost, Snapshot before, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var now = await TakeAsync(outpost);
            if (now.Rows.IsSubsetOf(before.Rows) && now.Folders.IsSubsetOf(before.Folders) && now.Processes.IsSubsetOf(before.Processes))
            {
                return;
            }
            await Task.Delay(200);
        }
    }

    public static async Task CheckAliveAsync(OutpostUnderTest outpost, Violations violations, string after)
    {
        if (!await outpost.IsAliveAsync())
        {
            violations.Add("the Outpost stopped answering /ping", $"after {after}; see {outpost.LogFile}");
        }
    }

    /// <summary>Polls (200) and stops (200) each accepted server through the API; it must then be gone from the list.</summary>
    public static async Task CheckPollAndStopAsync(OutpostUnderTest outpost, IReadOnlyList<(Credentials Hub, string Name, string StartId, RawRequest Start)> accepted, Violations violations)
    {
        foreach (var (hub, name, startId, start) in accepted)
        {
            var path = OutpostUnderTest.ServerPath(name, startId);
            var poll = await outpost.SendAsync(new RawRequest("GET", path, hub));
            if (poll.Status != 200 || !poll.IsJson)
            {
                violations.Add($"accepted server cannot be polled → {poll.Status}", $"{start.Describe()}  then GET {path} → {poll}");
            }
            var stop = await outpost.SendAsync(new RawRequest("DELETE", path, hub));
            if (stop.Status != 200 || !stop.IsJson)
            {
                violations.Add($"accepted server cannot be stopped → {stop.Status}", $"{start.Describe()}  then DELETE {path} → {stop}");
            }
            var list = await outpost.ListAsync(hub);
            if (list is null || list.Contains((name, startId)))
            {
                violations.Add("stopped server still listed", $"{start.Describe()}  then DELETE {path} → {stop}");
            }
        }
    }

    /// <summary>
    /// After a batch (accepted servers already stopped): no new row, folder or process. Leftover rows are traced to
    /// the requests that named them.
    /// </summary>
    public static async Task CheckNothingLeftAsync(
        OutpostUnderTest outpost,
        Snapshot before,
        IReadOnlyList<(StartCase? Case, RawRequest Request, RawAnswer Answer)> batch,
        Violations violations)
    {
        var after = await TakeAsync(outpost);
        foreach (var row in after.Rows.Except(before.Rows))
        {
            var makers = batch.Where(b => b.Case is { } c && c.Hub == row.Hub && c.PlainName == row.Name && c.PlainStartId == row.StartId).ToList();
            var refused = makers.Where(m => m.Answer.Status is >= 400 and < 500).ToList();
            var kind = refused.Count > 0 ? $"refused start ({refused[0].Answer.Status}) left a row" : makers.Count > 0 ? "row left after stop" : "unexplained new row";
            var example = (refused.Count > 0 ? refused : makers).Select(m => $"{m.Request.Describe()}  →  {m.Answer}").FirstOrDefault()
                ?? $"row {row} after requests such as {batch.FirstOrDefault().Request?.Describe()}";
            violations.Add(kind, example);
        }
        foreach (var folder in after.Folders.Except(before.Folders))
        {
            var maker = batch.FirstOrDefault(b => b.Case is { } c && ResourceNameOf(c) == folder);
            violations.Add(
                maker.Request is null ? "unexplained folder left under servers/" : $"folder left under servers/ by a {maker.Answer.Status} start",
                maker.Request is null ? folder : $"{maker.Request.Describe()}  →  {maker.Answer}");
        }
        foreach (var pid in after.Processes.Except(before.Processes))
        {
            string cwd;
            try
            {
                cwd = new FileInfo($"/proc/{pid}/cwd").LinkTarget ?? "?";
            }
            catch (IOException)
            {
                cwd = "?";
            }
            violations.Add("server process left running", $"pid {pid}, cwd {cwd}, after a batch with {batch.Count(b => b.Answer.Status >= 400)} refusals");
        }
    }

    /// <summary>
    /// Whether the API promises a JSON body: a registered method on one of its JSON routes. Not for answers Kestrel
    /// gives before any route runs (400 bad request line, 414 URI too long, 431 headers too large).
    /// </summary>
    public static bool PromisesJson(RawRequest request, RawAnswer answer) => answer.Status is not (400 or 414 or 431) && (request.Method, RouteOf(request.Path)) switch
    {
        ("GET" or "POST", "/services") => true,
        ("GET" or "DELETE", "/services/{name}[/{start_id}]") => true,
        ("GET", "/flavors") => true,
        ("POST", "/userflavors") => true,
        ("GET", "/ping") => true,
        _ => false,
    };

    /// <summary>
    /// The route a raw path addresses, for grouping. A path with a dot segment (also <c>%2E</c>) is "(other path)":
    /// Kestrel removes dot segments, so it reaches some other route.
    /// </summary>
    public static string RouteOf(string path)
    {
        if (path.Split('/').Any(s => Uri.UnescapeDataString(s) is "." or ".."))
        {
            return "(other path)";
        }
        var trimmed = path.EndsWith('/') ? path[..^1] : path;
        return trimmed switch
        {
            "/services" => "/services",
            _ when trimmed.StartsWith("/services/", StringComparison.Ordinal) => "/services/{name}[/{start_id}]",
            "/flavors" or "/userflavors" or "/ping" or "/health" or "/metrics" => trimmed,
            _ => "(other path)",
        };
    }

    private static string MethodKind(string method) =>
        method is "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" or "TRACE" ? method : "(made-up method)";

    private static string? ResourceNameOf(StartCase c) =>
        c.PlainName is { } name && c.PlainStartId is { } startId && c.PlainUser is { } user
            ? Outpost.Servers.ResourceNames.ForServer(new Outpost.Servers.ServerKey(c.Hub == Credentials.Hub2 ? OutpostHost.Hub2 : OutpostHost.Hub1, name, startId), user)
            : null;

    /// <summary>The detail entries of a 422 answer whose <c>loc</c> names <paramref name="field"/> (or its type is that field).</summary>
    public static bool NamesField(RawAnswer answer, string field) =>
        answer.TryParse() is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("detail", out var detail)
        && detail.ValueKind == JsonValueKind.Array
        && detail.EnumerateArray().Any(d =>
            d.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
            && loc.EnumerateArray().Any(l => l.ValueKind == JsonValueKind.String && l.GetString() == field));
}
