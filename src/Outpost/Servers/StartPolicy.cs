using Outpost.Hubs;

namespace Outpost.Servers;

/// <summary>What a hub may ask for in a start: its <c>env</c>, <c>misc</c> and <c>user_options</c> keys and values.</summary>
public static class StartPolicy
{
    /// <summary>Most problems an answer lists: a body of 100,000 bad members must not get a 30 MB answer.</summary>
    private const int MaxReported = 50;

    /// <summary>
    /// Applies the hub's policy: environment keys and <c>misc</c> keys it may not set are refused,
    /// each named, so nothing is silently dropped or silently applied.
    /// </summary>
    public static IReadOnlyList<string> Check(ServerSpec spec, string hub, HubOptions? hubOptions)
    {
        var problems = new List<string>();
        foreach (var key in spec.Env.Keys.Where(k => !EnvPolicy.IsAllowed(k, hubOptions)).Order(StringComparer.Ordinal))
        {
            problems.Add(EnvPolicy.IsForbidden(key)
                ? $"env '{key}' may not be set by a hub."
                : $"env '{key}' is not allowed for hub '{hub}' (allowed: JUPYTERHUB_*, JUPYTER_* and Outpost:Hubs:{hub}:AllowedEnv).");
        }
        foreach (var (key, value) in spec.Misc.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (hubOptions?.Misc.TryGetValue(key, out var rule) == true)
            {
                if (rule.Check(value) is { } reason)
                {
                    problems.Add($"misc '{key}' {reason} (rule Outpost:Hubs:{hub}:Misc:{key}).");
                }
            }
            else if (!MiscPolicy.IsAllowed(key, hubOptions))
            {
                problems.Add($"misc '{key}' is not allowed for hub '{hub}' (allowed: {string.Join(", ", MiscPolicy.Allowed(hubOptions).Concat(hubOptions?.Misc.Keys.AsEnumerable() ?? []))}).");
            }
        }
        foreach (var (key, value) in spec.UserOptions.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (key is "flavor" or "profile" or "start_id")
            {
                continue;
            }
            if (hubOptions?.UserOptions.TryGetValue(key, out var rule) == true)
            {
                if (rule.Check(value) is { } reason)
                {
                    problems.Add($"user_options '{key}' {reason} (rule Outpost:Hubs:{hub}:UserOptions:{key}).");
                }
            }
            else if (hubOptions?.AllowedUserOptions is { } allowed && !allowed.Contains(key, StringComparer.Ordinal))
            {
                problems.Add($"user_options '{key}' is not allowed for hub '{hub}' (allowed: {string.Join(", ", allowed.Concat(hubOptions.UserOptions.Keys))}).");
            }
        }
        return problems.Count > MaxReported ? [.. problems[..MaxReported], $"({problems.Count - MaxReported} more problems not shown.)"] : problems;
    }
}
