using System.Text.Json;
using System.Text.Json.Serialization;
using Outpost.Backends.Kubernetes.Client.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// Serialization code for every Kubernetes object the Outpost reads or writes, generated at compile time: no
/// reflection at run time, so the Outpost can be published with Native AOT. Objects nested in these are included.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1SelfSubjectAccessReview))]
[JsonSerializable(typeof(CoreV1Event))]
[JsonSerializable(typeof(KubeList<V1Pod>))]
[JsonSerializable(typeof(KubeList<CoreV1Event>))]
[JsonSerializable(typeof(KubeList<V1Service>))]
[JsonSerializable(typeof(KubeList<V1Secret>))]
[JsonSerializable(typeof(KubeList<V1PersistentVolumeClaim>))]
[JsonSerializable(typeof(KubeList<V1Lease>))]
[JsonSerializable(typeof(WatchEvent<V1Pod>))]
[JsonSerializable(typeof(WatchEvent<CoreV1Event>))]
[JsonSerializable(typeof(WatchEvent<V1Status>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(KubernetesPodOptions))]
[JsonSerializable(typeof(List<V1Volume>))]
[JsonSerializable(typeof(List<V1VolumeMount>))]
internal sealed partial class KubeJsonContext : JsonSerializerContext;
