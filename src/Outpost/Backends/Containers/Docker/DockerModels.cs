using System.Text.Json.Serialization;

namespace Outpost.Backends.Containers.Docker;

// The few Docker Engine API shapes the container backend reads and writes (API 1.41, which Podman's compatible
// service speaks too). Only the fields used are declared; the engine ignores what is not sent and we ignore the rest.

/// <summary>GET /version.</summary>
public sealed record DockerVersion(string? Version, string? ApiVersion, string? Os, string? Arch, IReadOnlyList<DockerVersionComponent>? Components);

/// <summary>One component of <see cref="DockerVersion"/>; Podman names itself here ("Podman Engine").</summary>
public sealed record DockerVersionComponent(string? Name, string? Version);

/// <summary>GET /images/{name}/json.</summary>
public sealed record DockerImage(string? Id, IReadOnlyList<string>? RepoTags);

/// <summary>One line of the progress stream of POST /images/create.</summary>
public sealed record DockerPullMessage(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("progress")] string? Progress,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>An error answer: <c>{"message": ...}</c>.</summary>
public sealed record DockerError([property: JsonPropertyName("message")] string? Message);

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

/// <summary>Answer of POST /containers/create.</summary>
public sealed record DockerCreated(string Id, IReadOnlyList<string>? Warnings);

/// <summary>GET /containers/{id}/json (the parts the backend reads).</summary>
public sealed record DockerContainer(
    string Id,
    string? Name,
    string? Created,
    DockerContainerState? State,
    DockerContainerConfig? Config,
    DockerHostConfig? HostConfig);

/// <summary>The state part of <see cref="DockerContainer"/>.</summary>
public sealed record DockerContainerState(string? Status, bool Running, int ExitCode, string? Error, bool OOMKilled);

/// <summary>The config part of <see cref="DockerContainer"/>.</summary>
public sealed record DockerContainerConfig(IReadOnlyDictionary<string, string>? Labels, IReadOnlyList<string>? Env, string? Image);

/// <summary>One entry of GET /containers/json.</summary>
public sealed record DockerContainerSummary(string Id, IReadOnlyList<string>? Names, IReadOnlyDictionary<string, string>? Labels, long Created, string? State);

/// <summary>GET /volumes/{name}.</summary>
public sealed record DockerVolume(string Name, IReadOnlyDictionary<string, string>? Labels);
