using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Outpost.Storage;

namespace Outpost.Events;

/// <summary>
/// Several progress events of one server in one request, for a hub that takes them: its events URL carries
/// <c>batch=true</c> in the query (the outpostspawner plugin adds it), and it answers a JSON array of events with
/// <c>{"statuses": [...]}</c>, the status each event would have had alone. Every request costs a JupyterHub a token
/// lookup and more on its one Python thread (about 3 ms), and a start sends five events: 200 starts at once queued
/// 1,000 requests there. Only events on their first attempt are joined, so a retry goes alone as before; the original
/// hub-side spawner's URL has no such query and gets one event per request.
/// </summary>
internal static class EventBatches
{
    public const int MaxEvents = 50;

    /// <summary>The events of one server to send next, from <paramref name="from"/> on (in order): one, or a batch.</summary>
    public static IReadOnlyList<OutboxEvent> Next(List<OutboxEvent> events, int from)
    {
        var first = events[from];
        if (first.Attempts > 0 || !TakesBatches(first.Url))
        {
            return [first];
        }
        var end = from + 1;
        while (end < events.Count && end - from < MaxEvents && events[end].Attempts == 0
               && events[end].Url == first.Url && events[end].Token == first.Token)
        {
            end++;
        }
        return events.GetRange(from, end - from);
    }

    /// <summary>The hub said (in its events URL) that it takes an array of events.</summary>
    public static bool TakesBatches(string url)
    {
        var query = url.IndexOf('?');
        if (query < 0)
        {
            return false;
        }
        var fragment = url.IndexOf('#', query);
        var text = fragment < 0 ? url[query..] : url[query..fragment];
        return QueryHelpers.ParseQuery(text).TryGetValue("batch", out var values)
               && values.Count == 1 && string.Equals(values[0], "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>One event as its own JSON object (what the original expects); several as an array.</summary>
    public static string Body(IReadOnlyList<OutboxEvent> batch) =>
        batch.Count == 1 ? batch[0].Body : "[" + string.Join(",", batch.Select(e => e.Body)) + "]";

    /// <summary>
    /// The status of each of <paramref name="count"/> events from the hub's answer to a batch; <paramref name="answered"/>
    /// for every event when the answer does not list exactly one valid status per event.
    /// </summary>
    public static int[] Statuses(string body, int count, int answered)
    {
        var fallback = Enumerable.Repeat(answered, count).ToArray();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("statuses", out var statuses)
                || statuses.ValueKind != JsonValueKind.Array || statuses.GetArrayLength() != count)
            {
                return fallback;
            }
            var result = new int[count];
            var i = 0;
            foreach (var status in statuses.EnumerateArray())
            {
                if (status.ValueKind != JsonValueKind.Number || !status.TryGetInt32(out result[i]) || result[i] is < 100 or > 599)
                {
                    return fallback;
                }
                i++;
            }
            return result;
        }
        catch (JsonException)
        {
            return fallback;
        }
    }
}
