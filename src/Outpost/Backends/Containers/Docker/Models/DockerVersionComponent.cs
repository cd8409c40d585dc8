namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>One component of <see cref="DockerVersion"/>; Podman names itself here ("Podman Engine").</summary>
public sealed record DockerVersionComponent(string? Name, string? Version);
