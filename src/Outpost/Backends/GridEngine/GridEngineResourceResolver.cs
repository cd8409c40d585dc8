using System.Text.Json;
using Outpost.Backends.Batch;
using Outpost.Servers;

namespace Outpost.Backends.GridEngine;

/// <summary>
/// Works out a job's resources from four layers, later ones winning: the defaults (the hub's own, if configured),
/// the flavor's, the user's <c>user_options</c>, the hub's <c>misc</c>. The last two are checked field by field
/// against the allow-lists; a bad value refuses the start naming the field. The flavor's runtime caps <c>h_rt</c>.
/// </summary>
internal static class GridEngineResourceResolver
{
    /// <summary>The user-facing keys, in the order they are checked.</summary>
    public static readonly IReadOnlyList<string> Keys = ["queue", "pe", "slots", "memory", "time"];

    public static GridEngineJobResources Resolve(GridEngineBackendOptions options, string hub, ServerSpec spec)
    {
        var hubOptions = options.Hubs.GetValueOrDefault(hub);
        var allowed = hubOptions?.Allowed ?? options.Allowed;
        var resources = Apply(new GridEngineJobResources(), hubOptions?.Defaults ?? options.Defaults, "Defaults");
        if (spec.Flavor is { } flavor && options.Flavors.TryGetValue(flavor, out var flavorResources))
        {
            resources = Apply(resources, flavorResources, $"Flavors:{flavor}");
        }
        resources = Apply(resources, spec.UserOptions, allowed, "user_options");
        resources = Apply(resources, spec.Misc, allowed, "misc");
        if (spec.RuntimeLimit is { } runtime && runtime > TimeSpan.Zero)
        {
            var cap = (long)Math.Ceiling(runtime.TotalMinutes);
            resources = resources with { TimeMinutes = Math.Min(resources.TimeMinutes ?? cap, cap) };
        }
        if ((resources.ParallelEnvironment is null) != (resources.Slots is null))
        {
            throw new BackendException("Grid Engine needs a parallel environment (pe) and a number of slots together; only one of them is set.");
        }
        return resources;
    }

    private static GridEngineJobResources Apply(GridEngineJobResources current, GridEngineResources layer, string where)
    {
        long? Memory() => layer.Memory is null ? current.MemoryMb
            : BatchValues.TryParseMemoryMb(layer.Memory, out var mb) ? mb
            : throw new BackendException($"The Grid Engine backend's {where}:Memory is not a memory size.");
        long? Time() => layer.Time is null ? current.TimeMinutes
            : BatchValues.TryParseTimeMinutes(layer.Time, out var minutes) ? minutes
            : throw new BackendException($"The Grid Engine backend's {where}:Time is not a time limit.");
        return new GridEngineJobResources
        {
            Queue = layer.Queue ?? current.Queue,
            ParallelEnvironment = layer.ParallelEnvironment ?? current.ParallelEnvironment,
            Slots = layer.Slots ?? current.Slots,
            MemoryMb = Memory(),
            TimeMinutes = Time(),
        };
    }

    private static GridEngineJobResources Apply(
        GridEngineJobResources current, IReadOnlyDictionary<string, JsonElement> values, GridEngineAllowed allowed, string source)
    {
        var result = current;
        foreach (var key in Keys)
        {
            if (!values.TryGetValue(key, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                continue;
            }
            var field = $"{source}.{key}";
            result = key switch
            {
                "queue" => result with { Queue = Text(field, value, allowed.Queue) },
                "pe" => result with { ParallelEnvironment = Text(field, value, allowed.ParallelEnvironment) },
                "slots" => result with { Slots = BatchChoices.Number(field, value, allowed.Slots, "a whole number", null) },
                "memory" => result with { MemoryMb = BatchChoices.Number(field, value, allowed.MemoryMb, "a memory size in MiB (or with a K, M, G or T suffix)", BatchValues.TryParseMemoryMb) },
                "time" => result with { TimeMinutes = BatchChoices.Number(field, value, allowed.TimeMinutes, "a time limit in minutes (or HH:MM:SS)", BatchValues.TryParseTimeMinutes) },
                _ => result,
            };
        }
        return result;
    }

    private static string Text(string field, JsonElement value, BatchTextRule rule) =>
        BatchChoices.Text(field, value, rule, GridEngineValues.IsSafeText, GridEngineValues.SafeCharacters);
}
