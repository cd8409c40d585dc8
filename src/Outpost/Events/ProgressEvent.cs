using System.Text.Json.Serialization;

namespace Outpost.Events;

/// <summary>
/// One progress step of a start, in the shape JupyterHub's progress stream uses.
/// The Outpost never sends <c>ready</c>: readiness is the hub's own decision.
/// </summary>
public sealed record ProgressEvent(
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("html_message")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? HtmlMessage = null,
    [property: JsonPropertyName("failed")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    bool Failed = false)
{
    /// <summary>The last event of a start that failed, with the reason for the user's progress page.</summary>
    public static ProgressEvent StartFailed(string message) =>
        new(100, message, $"<details><summary>Outpost could not start the server: {System.Net.WebUtility.HtmlEncode(message)}</summary></details>", Failed: true);
}
