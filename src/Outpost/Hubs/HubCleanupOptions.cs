namespace Outpost.Hubs;

/// <summary>
/// Orphan cleanup for one hub (<c>Outpost:Hubs:&lt;name&gt;:Cleanup</c>): the Outpost asks the hub which
/// servers it knows as running and stops the others. Off unless <see cref="Url"/> is set.
/// </summary>
public sealed class HubCleanupOptions
{
    /// <summary>The hub's list of running servers, e.g. <c>https://hub/hub/api/outpost/servers</c>. Default none (off).</summary>
    public string? Url { get; set; }

    /// <summary>A hub API token with the scope <c>custom:servers:list</c>. Required with <see cref="Url"/>.</summary>
    public string? Token { get; set; }

    /// <summary>Seconds between checks. Default 1800.</summary>
    public int IntervalSeconds { get; set; } = 1800;

    /// <summary>Servers younger than this many seconds are never stopped (the hub may not list them yet). Default 1800.</summary>
    public int GraceSeconds { get; set; } = 1800;
}
