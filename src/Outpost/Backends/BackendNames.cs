namespace Outpost.Backends;

/// <summary>Names of the built-in backends, as used in configuration (<c>Outpost:Backends:&lt;name&gt;</c>).</summary>
public static class BackendNames
{
    public const string Local = "Local";
    public const string Kubernetes = "Kubernetes";
    public const string Slurm = "Slurm";
    public const string Containers = "Containers";
    public const string Spawner = "Spawner";
    public const string SshHosts = "SshHosts";
}
