using System.Text.Json.Serialization;

namespace Outpost.Servers;

/// <summary>
/// A server's poll answer inside <c>GET /services?poll=true</c>: what <c>GET /services/{name}/{start_id}</c> would answer
/// at that moment. <see cref="Status"/> is null while the server runs (or starts, or stops), else its exit code;
/// <see cref="Error"/> is set, with a null status, when the backend could not be asked (the single poll's 419).
/// </summary>
public sealed record PolledStatus(
    [property: JsonPropertyName("status")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    int? Status,
    [property: JsonPropertyName("error")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? Error = null);
