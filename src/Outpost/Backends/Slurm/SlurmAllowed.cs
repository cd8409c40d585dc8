using Outpost.Backends.Batch;

namespace Outpost.Backends.Slurm;

/// <summary>
/// What hubs and users may choose, one rule per field. The <c>user_options</c>/<c>misc</c> key is the field name
/// in lower case: <c>partition</c>, <c>account</c>, <c>qos</c>, <c>reservation</c>, <c>constraint</c>, <c>gres</c>,
/// <c>gpus</c>, <c>nodes</c>, <c>cpus</c>, <c>memory</c> (MiB, or "4G"), <c>time</c> (minutes, or "[D-]HH:MM:SS").
/// </summary>
public sealed class SlurmAllowed
{
    /// <summary>Partitions that may be chosen. Default none.</summary>
    public BatchTextRule Partition { get; set; } = new();

    /// <summary>Accounts that may be chosen. Default none.</summary>
    public BatchTextRule Account { get; set; } = new();

    /// <summary>QoS values that may be chosen. Default none.</summary>
    public BatchTextRule Qos { get; set; } = new();

    /// <summary>Reservations that may be chosen. Default none.</summary>
    public BatchTextRule Reservation { get; set; } = new();

    /// <summary>Constraints that may be chosen. Default none.</summary>
    public BatchTextRule Constraint { get; set; } = new();

    /// <summary>Gres values that may be chosen. Default none.</summary>
    public BatchTextRule Gres { get; set; } = new();

    /// <summary>Range of GPU counts. Default none.</summary>
    public BatchRangeRule Gpus { get; set; } = new();

    /// <summary>Range of node counts. Default none.</summary>
    public BatchRangeRule Nodes { get; set; } = new();

    /// <summary>Range of CPU counts. Default none.</summary>
    public BatchRangeRule Cpus { get; set; } = new();

    /// <summary>Range of memory, in MiB. Default none.</summary>
    public BatchRangeRule MemoryMb { get; set; } = new();

    /// <summary>Range of time limits, in minutes. Default none.</summary>
    public BatchRangeRule TimeMinutes { get; set; } = new();
}
