using System.Text.Json.Serialization;

namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>One line of the progress stream of POST /images/create.</summary>
public sealed record DockerPullMessage(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("progress")] string? Progress,
    [property: JsonPropertyName("error")] string? Error);
