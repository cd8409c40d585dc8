namespace Outpost.Backends.GridEngine;

/// <summary>The resources one job asks for, after every layer was applied and every value checked.</summary>
public sealed record GridEngineJobResources
{
    public string? Queue { get; init; }
    public string? ParallelEnvironment { get; init; }
    public long? Slots { get; init; }
    public long? MemoryMb { get; init; }
    public long? TimeMinutes { get; init; }
}
