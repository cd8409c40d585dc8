namespace Outpost.Backends.GridEngine;

/// <summary>
/// Resources of a job as the administrator configures them (defaults, flavors). Every field is optional; an empty
/// field leaves the choice to a later layer or to Grid Engine.
/// </summary>
public sealed class GridEngineResources
{
    /// <summary>Queue (<c>-q</c>), e.g. "all.q".</summary>
    public string? Queue { get; set; }

    /// <summary>Parallel environment (<c>-pe NAME SLOTS</c>); needs <see cref="Slots"/>.</summary>
    public string? ParallelEnvironment { get; set; }

    /// <summary>Slots in the parallel environment (<c>-pe NAME SLOTS</c>).</summary>
    public int? Slots { get; set; }

    /// <summary>Memory limit (<c>-l h_vmem=</c>), in MiB or with a K/M/G/T suffix, e.g. "4G".</summary>
    public string? Memory { get; set; }

    /// <summary>Run-time limit (<c>-l h_rt=</c>) as minutes or "[D-]HH:MM:SS", e.g. "8:00:00".</summary>
    public string? Time { get; set; }
}
