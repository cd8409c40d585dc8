namespace Outpost.Storage;

/// <summary>
/// Named leases with a holder and an expiry, in the shared database: at most one holder per name
/// until the lease expires. Used for leadership among replicas and for each replica's liveness.
/// Expiry is judged by the caller's clock, so replicas' clocks must agree to well within a lease's TTL.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes the lease when it is free or expired, or extends it when <paramref name="holder"/> already holds it.</summary>
    Task<bool> TryAcquireAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease only while <paramref name="holder"/> still holds it and it has not expired.</summary>
    Task<bool> RenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it, so another may take it at once.</summary>
    Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default);

    /// <summary>The current holder of an unexpired lease, or null.</summary>
    Task<string?> FindHolderAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Removes leases that expired before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
