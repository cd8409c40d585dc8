using System.Text.Json.Serialization;

namespace Outpost.Servers;

/// <summary>One invalid field, in the 422 shape FastAPI clients know: <c>{"detail": [{type, loc, msg}]}</c>.</summary>
public sealed record FieldError(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("loc")] IReadOnlyList<string> Loc,
    [property: JsonPropertyName("msg")] string Msg);

/// <summary>The body of a 422 answer.</summary>
public sealed record ValidationProblem([property: JsonPropertyName("detail")] IReadOnlyList<FieldError> Detail);
