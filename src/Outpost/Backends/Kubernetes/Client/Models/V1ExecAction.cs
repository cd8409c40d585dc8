namespace Outpost.Backends.Kubernetes.Client.Models;

/// <summary>A command run inside the container.</summary>
public sealed record V1ExecAction
{
    public List<string>? Command { get; set; }
}
