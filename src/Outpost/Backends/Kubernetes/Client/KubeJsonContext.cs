using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// Serialization code, generated at compile time, for the backend's settings and for the Kubernetes objects the Outpost
/// sends and reads: the client library's model classes, but only these and what they hold. The library's own context
/// covers every model of every API group; the Outpost never reaches it, so trimming leaves it out of the executable.
/// The models' quantity and int-or-string types carry their own converters; times use <see cref="KubeDateTimeConverter"/>.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(KubeDateTimeConverter)])]
[JsonSerializable(typeof(KubernetesBackendOptions))]
[JsonSerializable(typeof(KubernetesPodOptions))]
[JsonSerializable(typeof(List<V1Volume>))]
[JsonSerializable(typeof(List<V1VolumeMount>))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(KubeList<V1Pod>))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(KubeList<V1Service>))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(KubeList<V1Secret>))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(KubeList<V1PersistentVolumeClaim>))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(KubeList<Corev1Event>))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1SelfSubjectAccessReview))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class KubeJsonContext : JsonSerializerContext;
