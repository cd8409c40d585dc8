using Microsoft.Extensions.Diagnostics.HealthChecks;
using Outpost.Replicas;

namespace Outpost.Operations;

/// <summary>
/// Reports whether this replica leads (runs the background work). Always healthy: a follower serves the API as well
/// as the leader, and with PostgreSQL another replica takes over when the leader's lease expires.
/// </summary>
public sealed class LeadershipHealthCheck(ILeadership leadership, ReplicaIdentity identity) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(
            !leadership.IsReplicated ? "single replica (SQLite), leads"
            : leadership.IsLeader ? $"replica {identity.Id} holds the leader lease"
            : $"replica {identity.Id} follows; another replica holds the leader lease"));
}
