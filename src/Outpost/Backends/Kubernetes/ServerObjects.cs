using k8s;
using k8s.Models;

namespace Outpost.Backends.Kubernetes;

/// <summary>The Kubernetes objects of one server, as <see cref="PodTemplate"/> builds them.</summary>
/// <param name="Pod">The server's pod.</param>
/// <param name="Service">A ClusterIP Service in front of the pod, when services are enabled.</param>
/// <param name="Secret">The internal_ssl key, certificate and CAs, when the hub sent certs.</param>
/// <param name="Claim">The per-user claim, when storage is enabled; it outlives the server.</param>
/// <param name="Port">Port the server listens on.</param>
/// <param name="ServiceHost">Host name of <paramref name="Service"/> from the DNS name template, if there is a Service.</param>
/// <param name="StartTimeout">How long the start may take.</param>
/// <param name="DeleteGracePeriodSeconds">Grace period used when the pod is deleted.</param>
public sealed record ServerObjects(
    V1Pod Pod,
    V1Service? Service,
    V1Secret? Secret,
    V1PersistentVolumeClaim? Claim,
    int Port,
    string? ServiceHost,
    TimeSpan StartTimeout,
    int DeleteGracePeriodSeconds);
