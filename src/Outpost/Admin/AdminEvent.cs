using System.Text.Json;
using Outpost.Storage;

namespace Outpost.Admin;

/// <summary>
/// A progress event (or flavor update) as an operator sees it: what it said and what became of it. <see cref="State"/>
/// is <c>waiting</c> while it is in the outbox, else how it left (<see cref="EventOutcomes"/>).
/// </summary>
public sealed record AdminEvent(
    long Id,
    string Hub,
    string Server,
    DateTimeOffset CreatedAt,
    int? Progress,
    string Message,
    bool Failed,
    string State,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? FinishedAt)
{
    public const string Waiting = "waiting";

    public static AdminEvent From(EventEntry entry)
    {
        var (progress, message, failed) = Read(entry.Body);
        return new(entry.Id, entry.Hub, entry.Server, entry.CreatedAt, progress, message, failed,
            entry.Outcome ?? Waiting, entry.Attempts, entry.NextAttemptAt, entry.FinishedAt);
    }

    /// <summary>A progress event's fields; another body (a flavor update) is shown as it is.</summary>
    private static (int? Progress, string Message, bool Failed) Read(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                int? progress = root.TryGetProperty("progress", out var p) && p.TryGetInt32(out var value) ? value : null;
                var failed = root.TryGetProperty("failed", out var f) && f.ValueKind == JsonValueKind.True;
                return (progress, message.GetString()!, failed);
            }
        }
        catch (JsonException)
        {
            // not JSON: shown as stored
        }
        return (null, body, false);
    }
}
