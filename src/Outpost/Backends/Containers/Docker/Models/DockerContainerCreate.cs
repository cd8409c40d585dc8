namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>Body of POST /containers/create.</summary>
public sealed record DockerContainerCreate
{
    public required string Image { get; init; }
    public required IReadOnlyList<string> Cmd { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public required DockerHostConfig HostConfig { get; init; }
}
