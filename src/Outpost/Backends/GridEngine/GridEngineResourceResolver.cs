using System.Text.Json;
using Outpost.Backends.Batch;
using Outpost.Servers;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// A Grid Engine job's resources, layered as every batch backend layers them (<see cref="BatchResourceLayers"/>), from
/// Grid Engine's own keys and values. The flavor's runtime caps <c>h_rt</c>; a parallel environment and its slots go together.
/// </summary>
internal static class GridEngineResourceResolver
{
    /// <summary>The user-facing keys, in the order they are checked.</summary>
    public static readonly IReadOnlyList<string> Keys = ["queue", "pe", "slots", "memory", "time"];

    public static GridEngineJobResources Resolve(GridEngineBackendOptions options, string hub, ServerSpec spec)
    {
        var hubOptions = options.Hubs.GetValueOrDefault(hub);
        var resources = BatchResourceLayers.Resolve(
            new GridEngineJobResources(), hubOptions?.Defaults ?? options.Defaults, options.Flavors, hubOptions?.Allowed ?? options.Allowed,
            spec, Keys, Apply, Choose);
        resources = resources with { TimeMinutes = BatchResourceLayers.CapMinutes(resources.TimeMinutes, spec) };
        if ((resources.ParallelEnvironment is null) != (resources.Slots is null))
        {
            throw new BackendException("Grid Engine needs a parallel environment (pe) and a number of slots together; only one of them is set.");
        }
        return resources;
    }

    private static GridEngineJobResources Apply(GridEngineJobResources current, GridEngineResources layer, string where)
    {
        long? Memory() => BatchChoices.Layer(layer.Memory, current.MemoryMb, BatchValues.TryParseMemoryMb, $"The Grid Engine backend's {where}:Memory is not a memory size.");
        long? Time() => BatchChoices.Layer(layer.Time, current.TimeMinutes, BatchValues.TryParseTimeMinutes, $"The Grid Engine backend's {where}:Time is not a time limit.");
        return new GridEngineJobResources
        {
            Queue = layer.Queue ?? current.Queue,
            ParallelEnvironment = layer.ParallelEnvironment ?? current.ParallelEnvironment,
            Slots = layer.Slots ?? current.Slots,
            MemoryMb = Memory(),
            TimeMinutes = Time(),
        };
    }

    private static GridEngineJobResources Choose(GridEngineJobResources current, string key, string field, JsonElement value, GridEngineAllowed allowed) =>
        key switch
        {
            "queue" => current with { Queue = Text(field, value, allowed.Queue) },
            "pe" => current with { ParallelEnvironment = Text(field, value, allowed.ParallelEnvironment) },
            "slots" => current with { Slots = BatchChoices.Number(field, value, allowed.Slots, "a whole number", null) },
            "memory" => current with { MemoryMb = BatchChoices.Number(field, value, allowed.MemoryMb, "a memory size in MiB (or with a K, M, G or T suffix)", BatchValues.TryParseMemoryMb) },
            "time" => current with { TimeMinutes = BatchChoices.Number(field, value, allowed.TimeMinutes, "a time limit in minutes (or HH:MM:SS)", BatchValues.TryParseTimeMinutes) },
            _ => current,
        };

    private static string Text(string field, JsonElement value, BatchTextRule rule) =>
        BatchChoices.Text(field, value, rule, GridEngineValues.IsSafeText, GridEngineValues.SafeCharacters);
}
