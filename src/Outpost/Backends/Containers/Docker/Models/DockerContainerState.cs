namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>The state part of <see cref="DockerContainer"/>.</summary>
public sealed record DockerContainerState(string? Status, bool Running, int ExitCode, string? Error, bool OOMKilled);
