using System.Text.Json.Serialization;

namespace Outpost.Bench;

/// <summary>The shape of the Outpost's poll answer for a running server: <c>{"status":null,"logs":[]}</c>.</summary>
public sealed record PollAnswer(
    [property: JsonPropertyName("status")][property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Status,
    [property: JsonPropertyName("logs")] string[] Logs)
{
    public const string RunningJson = """{"status":null,"logs":[]}""";

    public static readonly PollAnswer Running = new(null, []);
}
