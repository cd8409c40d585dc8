namespace Outpost.Storage;

/// <summary>
/// Read-only questions about the whole Outpost, across hubs, for operators: the metrics scrape and the status page.
/// Never on a hub's request path.
/// </summary>
public interface IOperationsStore
{
    /// <summary>Undelivered progress events per hub, with when the oldest of them was stored; hubs without any are left out.</summary>
    Task<IReadOnlyList<HubBacklog>> EventBacklogAsync(CancellationToken cancellationToken = default);

    /// <summary>Every lease row, expired or not (expired ones are purged by the leader), ordered by name.</summary>
    Task<IReadOnlyList<LeaseRecord>> ListLeasesAsync(CancellationToken cancellationToken = default);
}

/// <summary>Events stored for <paramref name="Hub"/> and not yet delivered.</summary>
public sealed record HubBacklog(string Hub, int Count, DateTimeOffset OldestCreatedAt);

/// <summary>One lease as stored; <paramref name="ExpiresAt"/> was computed by the holder's clock.</summary>
public sealed record LeaseRecord(string Name, string Holder, DateTimeOffset ExpiresAt);
