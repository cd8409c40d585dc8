using System.Text.Json.Serialization;

namespace Outpost.Servers;

/// <summary>
/// The original Outpost's 419 body. Hubs show <c>args[0]</c> to the user, so it carries the human
/// message; the traceback names the error type only (no stack of our internals).
/// </summary>
public sealed record WireError(
    [property: JsonPropertyName("module")] string Module,
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("traceback")] string Traceback,
    [property: JsonPropertyName("args")] IReadOnlyList<string> Args,
    [property: JsonPropertyName("kwargs")] IReadOnlyDictionary<string, string> Kwargs)
{
    public const int StatusCode = 419;

    public static WireError From(Exception exception) => From(exception.GetType().Name, exception.Message);

    public static WireError From(string errorClass, string message) =>
        new("outpost", errorClass, $"{errorClass}: {message}", [message], new Dictionary<string, string>());
}

/// <summary>A refusal the hub should show as a 419 (a policy, conflict or backend problem).</summary>
public sealed class OutpostRefusal(string message) : Exception(message);
