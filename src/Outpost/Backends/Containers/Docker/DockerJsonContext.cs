using System.Text.Json.Serialization;
using Outpost.Backends.Containers.Docker.Models;

namespace Outpost.Backends.Containers.Docker;

/// <summary>
/// Serialization code for the Docker Engine API shapes (<c>Models/</c>: only the fields the backend uses, from API 1.41,
/// which Podman's compatible service speaks too), generated at compile time (Native AOT). The API spells its
/// fields in PascalCase, as the records do; reading ignores case because Podman's answers are not always exact.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DockerVersion))]
[JsonSerializable(typeof(DockerImage))]
[JsonSerializable(typeof(DockerPullMessage))]
[JsonSerializable(typeof(DockerError))]
[JsonSerializable(typeof(DockerContainerCreate))]
[JsonSerializable(typeof(DockerCreated))]
[JsonSerializable(typeof(DockerContainer))]
[JsonSerializable(typeof(List<DockerContainerSummary>))]
[JsonSerializable(typeof(DockerVolume))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
