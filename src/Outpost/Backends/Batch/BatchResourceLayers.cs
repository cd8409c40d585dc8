using System.Text.Json;
using Outpost.Servers;

namespace Outpost.Backends.Batch;

/// <summary>
/// The order every batch backend layers a job's resources in, later layers winning: the defaults (the hub's own, if
/// configured), the flavor's, the user's <c>user_options</c>, the hub's <c>misc</c>. The first two are the
/// administrator's; each key of the last two goes through the scheduler's <c>choose</c>, which checks it against the
/// allow-list and names the field (e.g. <c>misc.queue</c>) when it refuses.
/// </summary>
public static class BatchResourceLayers
{
    /// <summary>One key a hub or user chose, already known to be set: returns the resources with it applied.</summary>
    public delegate TJob Choose<TJob, TAllowed>(TJob current, string key, string field, JsonElement value, TAllowed allowed);

    public static TJob Resolve<TJob, TLayer, TAllowed>(
        TJob empty,
        TLayer defaults,
        IReadOnlyDictionary<string, TLayer> flavors,
        TAllowed allowed,
        ServerSpec spec,
        IReadOnlyList<string> keys,
        Func<TJob, TLayer, string, TJob> applyLayer,
        Choose<TJob, TAllowed> choose)
    {
        var resources = applyLayer(empty, defaults, "Defaults");
        if (spec.Flavor is { } flavor && flavors.TryGetValue(flavor, out var flavorLayer))
        {
            resources = applyLayer(resources, flavorLayer, $"Flavors:{flavor}");
        }
        resources = ApplyChoices(resources, spec.UserOptions, keys, allowed, "user_options", choose);
        return ApplyChoices(resources, spec.Misc, keys, allowed, "misc", choose);
    }

    /// <summary>The job's time limit in minutes, capped by the flavor's runtime when it has one.</summary>
    public static long? CapMinutes(long? minutes, ServerSpec spec)
    {
        if (spec.RuntimeLimit is not { } runtime || runtime <= TimeSpan.Zero)
        {
            return minutes;
        }
        var cap = (long)Math.Ceiling(runtime.TotalMinutes);
        return Math.Min(minutes ?? cap, cap);
    }

    private static TJob ApplyChoices<TJob, TAllowed>(
        TJob current, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyList<string> keys, TAllowed allowed, string source,
        Choose<TJob, TAllowed> choose)
    {
        var result = current;
        foreach (var key in keys)
        {
            if (values.TryGetValue(key, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                result = choose(result, key, $"{source}.{key}", value, allowed);
            }
        }
        return result;
    }
}
