namespace Outpost.Backends.Slurm;

/// <summary>The resources one job asks for, after every layer was applied and every value checked.</summary>
public sealed record SlurmJobResources
{
    public string? Partition { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    public string? Reservation { get; init; }
    public string? Constraint { get; init; }
    public string? Gres { get; init; }
    public long? Gpus { get; init; }
    public long? Nodes { get; init; }
    public long? Cpus { get; init; }
    public long? MemoryMb { get; init; }
    public long? TimeMinutes { get; init; }
}
