namespace Outpost.Backends.Containers.Docker.Models;

/// <summary>The host-side settings of a container.</summary>
public sealed record DockerHostConfig
{
    public string? NetworkMode { get; init; }
    public long? Memory { get; init; }
    public long? NanoCpus { get; init; }
    public IReadOnlyList<string>? Binds { get; init; }
    public IReadOnlyDictionary<string, string>? Tmpfs { get; init; }
    public bool ReadonlyRootfs { get; init; }
    public IReadOnlyList<string>? CapDrop { get; init; }
    public IReadOnlyList<string>? CapAdd { get; init; }
    public IReadOnlyList<string>? SecurityOpt { get; init; }
    public bool? Init { get; init; }
}
