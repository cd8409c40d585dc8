namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>One port of a Service.</summary>
public sealed record V1ServicePort
{
    public string? Name { get; set; }

    public string? Protocol { get; set; }

    public int? Port { get; set; }

    public int? TargetPort { get; set; }
}
