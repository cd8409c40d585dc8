namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>The API's error and result body.</summary>
public sealed record V1Status
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Status { get; set; }

    public string? Message { get; set; }

    public string? Reason { get; set; }

    public int? Code { get; set; }

    public V1StatusDetails? Details { get; set; }
}
