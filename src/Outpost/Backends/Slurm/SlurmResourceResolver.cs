using System.Text.Json;
using Outpost.Backends.Batch;
using Outpost.Servers;

namespace Outpost.Backends.Slurm;

/// <summary>
/// Works out a job's resources from four layers, later ones winning: the defaults (the hub's own, if configured),
/// the flavor's, the user's <c>user_options</c>, the hub's <c>misc</c>. The first two are the administrator's;
/// the last two are checked field by field against the allow-lists, and any bad value refuses the start with a
/// <see cref="BackendException"/> that names the field. The flavor's runtime caps the time limit.
/// </summary>
internal static class SlurmResourceResolver
{
    /// <summary>The user-facing keys, in the order they are checked.</summary>
    public static readonly IReadOnlyList<string> Keys =
        ["partition", "account", "qos", "reservation", "constraint", "gres", "gpus", "nodes", "cpus", "memory", "time"];

    public static SlurmJobResources Resolve(SlurmBackendOptions options, string hub, ServerSpec spec)
    {
        var hubOptions = options.Hubs.GetValueOrDefault(hub);
        var allowed = hubOptions?.Allowed ?? options.Allowed;
        var resources = Apply(new SlurmJobResources(), hubOptions?.Defaults ?? options.Defaults, "Defaults");
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
        return resources;
    }

    private static SlurmJobResources Apply(SlurmJobResources current, SlurmResources layer, string where)
    {
        long? Memory() => layer.Memory is null ? current.MemoryMb
            : SlurmValues.TryParseMemoryMb(layer.Memory, out var mb) ? mb
            : throw new BackendException($"The Slurm backend's {where}:Memory is not a memory size.");
        long? Time() => layer.Time is null ? current.TimeMinutes
            : SlurmValues.TryParseTimeMinutes(layer.Time, out var minutes) ? minutes
            : throw new BackendException($"The Slurm backend's {where}:Time is not a time limit.");
        return new SlurmJobResources
        {
            Partition = layer.Partition ?? current.Partition,
            Account = layer.Account ?? current.Account,
            Qos = layer.Qos ?? current.Qos,
            Reservation = layer.Reservation ?? current.Reservation,
            Constraint = layer.Constraint ?? current.Constraint,
            Gres = layer.Gres ?? current.Gres,
            Gpus = layer.Gpus ?? current.Gpus,
            Nodes = layer.Nodes ?? current.Nodes,
            Cpus = layer.Cpus ?? current.Cpus,
            MemoryMb = Memory(),
            TimeMinutes = Time(),
        };
    }

    private static SlurmJobResources Apply(
        SlurmJobResources current, IReadOnlyDictionary<string, JsonElement> values, SlurmAllowed allowed, string source)
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
                "partition" => result with { Partition = Text(field, value, allowed.Partition) },
                "account" => result with { Account = Text(field, value, allowed.Account) },
                "qos" => result with { Qos = Text(field, value, allowed.Qos) },
                "reservation" => result with { Reservation = Text(field, value, allowed.Reservation) },
                "constraint" => result with { Constraint = Text(field, value, allowed.Constraint) },
                "gres" => result with { Gres = Text(field, value, allowed.Gres) },
                "gpus" => result with { Gpus = Number(field, value, allowed.Gpus, "a whole number", null) },
                "nodes" => result with { Nodes = Number(field, value, allowed.Nodes, "a whole number", null) },
                "cpus" => result with { Cpus = Number(field, value, allowed.Cpus, "a whole number", null) },
                "memory" => result with { MemoryMb = Number(field, value, allowed.MemoryMb, "a memory size in MiB (or with a K, M, G or T suffix)", SlurmValues.TryParseMemoryMb) },
                "time" => result with { TimeMinutes = Number(field, value, allowed.TimeMinutes, "a time limit in minutes (or [D-]HH:MM:SS)", SlurmValues.TryParseTimeMinutes) },
                _ => result,
            };
        }
        return result;
    }

    private static string Text(string field, JsonElement value, BatchTextRule rule) =>
        BatchChoices.Text(field, value, rule, SlurmValues.IsSafeText, SlurmValues.SafeCharacters);

    private static long Number(string field, JsonElement value, BatchRangeRule rule, string what, BatchChoices.Parser? parser) =>
        BatchChoices.Number(field, value, rule, what, parser);
}
