namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>GET /containers/{id}/json (the parts the backend reads).</summary>
public sealed record DockerContainer(
    string Id,
    string? Name,
    string? Created,
    DockerContainerState? State,
    DockerContainerConfig? Config,
    DockerHostConfig? HostConfig);
