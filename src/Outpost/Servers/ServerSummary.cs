using System.Globalization;
using System.Text.Json.Serialization;

namespace Outpost.Servers;

/// <summary>
/// One entry of <c>GET /services</c>, in the original's shape, plus additive fields; <see cref="Poll"/> only with
/// <c>?poll=true</c> (absent otherwise, so the original bytes stay).
/// </summary>
public sealed record ServerSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("start_id")] string StartId,
    [property: JsonPropertyName("start_date")] string StartDate,
    [property: JsonPropertyName("end_date")] string EndDate,
    [property: JsonPropertyName("jupyterhub")] string JupyterHub,
    [property: JsonPropertyName("jupyterhub_userid")] string JupyterHubUserId,
    [property: JsonPropertyName("last_update")] string LastUpdate,
    [property: JsonPropertyName("state_stored")] bool StateStored,
    [property: JsonPropertyName("start_pending")] bool StartPending,
    [property: JsonPropertyName("stop_pending")] bool StopPending,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("flavor")] string? Flavor,
    [property: JsonPropertyName("service")] string? Service)
{
    [JsonPropertyName("poll")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PolledStatus? Poll { get; init; }

    private const string NoEndDate = "9999-12-31T23:59:59.999999+00:00";

    public static ServerSummary From(ServerRecord record) => new(
        record.Key.Name,
        record.Key.StartId,
        Format(record.StartDate),
        record.EndDate is { } end ? Format(end) : NoEndDate,
        record.Key.Hub,
        record.UserId.ToString(CultureInfo.InvariantCulture),
        Format(record.LastUpdate),
        StateStored: record.Handle is not null,
        StartPending: record.Phase is ServerPhase.Pending or ServerPhase.Starting,
        StopPending: record.Phase == ServerPhase.Stopping,
        record.Phase.ToString().ToLowerInvariant(),
        record.Backend,
        record.Flavor,
        record.ServiceAddress);

    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
}
