using System.Text.Json.Serialization;
using Outpost.Backends.Containers;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.LocalProcess;
using Outpost.Backends.SshHosts;
using Outpost.Backends.Spawner;

namespace Outpost.Backends;

/// <summary>
/// Serialization code for the handles backends store (generated at compile time, default options: the stored
/// form stays what it was when handles were serialized by reflection).
/// </summary>
[JsonSerializable(typeof(LocalProcessHandle))]
[JsonSerializable(typeof(ContainerHandle))]
[JsonSerializable(typeof(KubernetesHandle))]
[JsonSerializable(typeof(SpawnerHandle))]
[JsonSerializable(typeof(SshHostsHandle))]
internal sealed partial class BackendHandleJsonContext : JsonSerializerContext;
