namespace Outpost.Backends.Slurm;

/// <summary>
/// Resources of a job as the administrator configures them (defaults, flavors). Every field is optional;
/// an empty field leaves the choice to a later layer or to Slurm.
/// </summary>
public sealed class SlurmResources
{
    /// <summary>Partition (<c>--partition</c>).</summary>
    public string? Partition { get; set; }

    /// <summary>Account charged (<c>--account</c>).</summary>
    public string? Account { get; set; }

    /// <summary>Quality of service (<c>--qos</c>).</summary>
    public string? Qos { get; set; }

    /// <summary>Reservation (<c>--reservation</c>).</summary>
    public string? Reservation { get; set; }

    /// <summary>Node feature constraint (<c>--constraint</c>), e.g. "intel&amp;ib".</summary>
    public string? Constraint { get; set; }

    /// <summary>Generic resources (<c>--gres</c>), e.g. "gpu:a100:1".</summary>
    public string? Gres { get; set; }

    /// <summary>Number of GPUs (<c>--gpus</c>).</summary>
    public int? Gpus { get; set; }

    /// <summary>Number of nodes (<c>--nodes</c>).</summary>
    public int? Nodes { get; set; }

    /// <summary>CPUs for the server (<c>--cpus-per-task</c>).</summary>
    public int? Cpus { get; set; }

    /// <summary>Memory per node, in MiB or with a K/M/G/T suffix, e.g. "4G" (<c>--mem</c>).</summary>
    public string? Memory { get; set; }

    /// <summary>Time limit as minutes or Slurm's "[D-]HH:MM:SS", e.g. "8:00:00" (<c>--time</c>).</summary>
    public string? Time { get; set; }
}
