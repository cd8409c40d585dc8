using Outpost.Backends.Batch;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// What hubs and users may choose, one rule per field. The <c>user_options</c>/<c>misc</c> keys are <c>queue</c>,
/// <c>pe</c> (parallel environment), <c>slots</c>, <c>memory</c> (MiB, or "4G") and <c>time</c> (minutes, or
/// "[D-]HH:MM:SS"). A field without a rule may not be chosen.
/// </summary>
public sealed class GridEngineAllowed
{
    /// <summary>Queues that may be chosen. Default none.</summary>
    public BatchTextRule Queue { get; set; } = new();

    /// <summary>Parallel environments that may be chosen. Default none.</summary>
    public BatchTextRule ParallelEnvironment { get; set; } = new();

    /// <summary>Range of slot counts. Default none.</summary>
    public BatchRangeRule Slots { get; set; } = new();

    /// <summary>Range of memory limits (<c>h_vmem</c>), in MiB. Default none.</summary>
    public BatchRangeRule MemoryMb { get; set; } = new();

    /// <summary>Range of run-time limits (<c>h_rt</c>), in minutes. Default none.</summary>
    public BatchRangeRule TimeMinutes { get; set; } = new();
}
