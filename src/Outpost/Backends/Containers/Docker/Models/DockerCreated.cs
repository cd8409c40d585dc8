namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>Answer of POST /containers/create.</summary>
public sealed record DockerCreated(string Id, IReadOnlyList<string>? Warnings);
