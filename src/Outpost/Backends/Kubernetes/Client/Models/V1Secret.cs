namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A Secret (core/v1). Values in data are base64 on the wire; this type holds the decoded bytes.</summary>
public sealed record V1Secret : IKubeObject
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public V1ObjectMeta? Metadata { get; set; }

    public string? Type { get; set; }

    public Dictionary<string, byte[]>? Data { get; set; }
}
