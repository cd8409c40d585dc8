using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes.Client;

/// <summary>
/// Serialization code for the Kubernetes backend's own settings (which hold the client library's models), generated at
/// compile time: no reflection at run time, so the Outpost can be published with Native AOT. The Kubernetes objects
/// themselves are read and written by the library's own generated context (<c>k8s.KubernetesJson</c>).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(KubernetesBackendOptions))]
[JsonSerializable(typeof(KubernetesPodOptions))]
[JsonSerializable(typeof(List<V1Volume>))]
[JsonSerializable(typeof(List<V1VolumeMount>))]
internal sealed partial class KubeJsonContext : JsonSerializerContext;
