using System.Text.Json.Serialization;

namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>An error answer: <c>{"message": ...}</c>.</summary>
public sealed record DockerError([property: JsonPropertyName("message")] string? Message);
