namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>GET /images/{name}/json.</summary>
public sealed record DockerImage(string? Id, IReadOnlyList<string>? RepoTags);
