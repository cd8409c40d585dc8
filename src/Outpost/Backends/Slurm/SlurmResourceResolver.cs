using System.Text.Json;
using Outpost.Backends.Batch;
using Outpost.Servers;

namespace Outpost.Backends.Slurm;

/// <summary>
/// A Slurm job's resources, layered as every batch backend layers them (<see cref="BatchResourceLayers"/>), from
/// Slurm's own keys and values. The flavor's runtime caps the time limit.
/// </summary>
internal static class SlurmResourceResolver
{
    /// <summary>The user-facing keys, in the order they are checked.</summary>
    public static readonly IReadOnlyList<string> Keys =
        ["partition", "account", "qos", "reservation", "constraint", "gres", "gpus", "nodes", "cpus", "memory", "time"];

    public static SlurmJobResources Resolve(SlurmBackendOptions options, string hub, ServerSpec spec)
    {
        var hubOptions = options.Hubs.GetValueOrDefault(hub);
        var resources = BatchResourceLayers.Resolve(
            new SlurmJobResources(), hubOptions?.Defaults ?? options.Defaults, options.Flavors, hubOptions?.Allowed ?? options.Allowed,
            spec, Keys, Apply, Choose);
        resources = resources with { TimeMinutes = BatchResourceLayers.CapMinutes(resources.TimeMinutes, spec) };
        return resources;
    }

    private static SlurmJobResources Apply(SlurmJobResources current, SlurmResources layer, string where)
    {
        long? Memory() => BatchChoices.Layer(layer.Memory, current.MemoryMb, SlurmValues.TryParseMemoryMb, $"The Slurm backend's {where}:Memory is not a memory size.");
        long? Time() => BatchChoices.Layer(layer.Time, current.TimeMinutes, SlurmValues.TryParseTimeMinutes, $"The Slurm backend's {where}:Time is not a time limit.");
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

    private static SlurmJobResources Choose(SlurmJobResources current, string key, string field, JsonElement value, SlurmAllowed allowed) =>
        key switch
        {
            "partition" => current with { Partition = Text(field, value, allowed.Partition) },
            "account" => current with { Account = Text(field, value, allowed.Account) },
            "qos" => current with { Qos = Text(field, value, allowed.Qos) },
            "reservation" => current with { Reservation = Text(field, value, allowed.Reservation) },
            "constraint" => current with { Constraint = Text(field, value, allowed.Constraint) },
            "gres" => current with { Gres = Text(field, value, allowed.Gres) },
            "gpus" => current with { Gpus = Number(field, value, allowed.Gpus, "a whole number", null) },
            "nodes" => current with { Nodes = Number(field, value, allowed.Nodes, "a whole number", null) },
            "cpus" => current with { Cpus = Number(field, value, allowed.Cpus, "a whole number", null) },
            "memory" => current with { MemoryMb = Number(field, value, allowed.MemoryMb, "a memory size in MiB (or with a K, M, G or T suffix)", SlurmValues.TryParseMemoryMb) },
            "time" => current with { TimeMinutes = Number(field, value, allowed.TimeMinutes, "a time limit in minutes (or [D-]HH:MM:SS)", SlurmValues.TryParseTimeMinutes) },
            _ => current,
        };

    private static string Text(string field, JsonElement value, BatchTextRule rule) =>
        BatchChoices.Text(field, value, rule, SlurmValues.IsSafeText, SlurmValues.SafeCharacters);

    private static long Number(string field, JsonElement value, BatchRangeRule rule, string what, BatchChoices.Parser? parser) =>
        BatchChoices.Number(field, value, rule, what, parser);
}
