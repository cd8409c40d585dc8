namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>One entry of GET /containers/json.</summary>
public sealed record DockerContainerSummary(string Id, IReadOnlyList<string>? Names, IReadOnlyDictionary<string, string>? Labels, long Created, string? State);
