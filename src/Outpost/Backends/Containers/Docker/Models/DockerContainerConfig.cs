namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>The config part of <see cref="DockerContainer"/>.</summary>
public sealed record DockerContainerConfig(IReadOnlyDictionary<string, string>? Labels, IReadOnlyList<string>? Env, string? Image);
