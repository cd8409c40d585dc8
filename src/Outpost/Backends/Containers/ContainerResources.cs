namespace Outpost.Backends.Containers;

/// <summary>Limits of one server's container; a flavor or profile sets them, <c>misc</c> may lower them.</summary>
public sealed class ContainerResources
{
    /// <summary>Memory limit as JupyterHub writes <c>mem_limit</c>: bytes, or a number with K, M, G or T (powers of 1024). Default none.</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>CPU limit in cores (0.5 is half a core). Default none.</summary>
    public double? CpuLimit { get; set; }
}
