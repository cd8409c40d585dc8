using Outpost.Hubs;

namespace Outpost.Servers;

/// <summary>Which <c>misc</c> overrides a hub may send. Disallowed keys are refused, never silently dropped.</summary>
public static class MiscPolicy
{
    /// <summary>The keys the outpostspawner sends unless told not to; allowed when a hub has no explicit list.</summary>
    public static readonly IReadOnlyList<string> DefaultKeys =
        ["dns_name_template", "pod_name_template", "internal_ssl", "port", "ip", "services_enabled", "extra_labels"];

    public static IEnumerable<string> Allowed(HubOptions? hub) => hub?.AllowedMisc ?? DefaultKeys;

    public static bool IsAllowed(string key, HubOptions? hub) => Allowed(hub).Contains(key, StringComparer.Ordinal);
}
