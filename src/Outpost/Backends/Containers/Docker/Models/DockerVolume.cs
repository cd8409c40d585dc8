namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>GET /volumes/{name}.</summary>
public sealed record DockerVolume(string Name, IReadOnlyDictionary<string, string>? Labels);
