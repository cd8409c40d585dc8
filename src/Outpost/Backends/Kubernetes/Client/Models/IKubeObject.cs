namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A Kubernetes object with standard metadata; lets the client and the reflector handle every kind alike.</summary>
public interface IKubeObject
{
    V1ObjectMeta? Metadata { get; set; }
}
