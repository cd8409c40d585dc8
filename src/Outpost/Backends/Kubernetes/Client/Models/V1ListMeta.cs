using System.Text.Json.Serialization;

namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>Metadata of a list response.</summary>
public sealed record V1ListMeta
{
    public string? ResourceVersion { get; set; }

    [JsonPropertyName("continue")]
    public string? Continue { get; set; }
}
