namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>GET /version.</summary>
public sealed record DockerVersion(string? Version, string? ApiVersion, string? Os, string? Arch, IReadOnlyList<DockerVersionComponent>? Components);
