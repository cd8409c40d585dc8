using Outpost.Servers;

namespace Outpost.Status;

/// <summary>
/// What the status page shows, read at one moment: names, phases, counts and failure messages (redacted when they
/// were stored), never a spec, token or environment.
/// </summary>
public sealed record StatusReport(
    DateTimeOffset GeneratedAt,
    string ReplicaId,
    IReadOnlyList<StatusReport.HubServers> Hubs,
    IReadOnlyList<StatusReport.Server> Servers,
    int ServersNotListed,
    IReadOnlyList<StatusReport.Failure> Failures,
    IReadOnlyList<StatusReport.Backlog> Backlogs,
    IReadOnlyList<StatusReport.FlavorUse> Flavors,
    IReadOnlyList<StatusReport.Replica> Replicas)
{
    /// <summary>How many servers of <paramref name="Hub"/> are in each phase.</summary>
    public sealed record HubServers(string Hub, IReadOnlyDictionary<ServerPhase, int> ByPhase)
    {
        public int Total => ByPhase.Values.Sum();
    }

    public sealed record Server(string Hub, string Name, string UserName, ServerPhase Phase, string Backend, string? Flavor, DateTimeOffset LastUpdate);

    /// <summary>A failed start, or a server that ended by itself with an error or a non-zero exit code.</summary>
    public sealed record Failure(string Hub, string ServerName, string UserName, ServerPhase Phase, int? ExitCode, DateTimeOffset At, string Message);

    public sealed record Backlog(string Hub, int Count, TimeSpan OldestAge);

    /// <summary>Servers of <paramref name="Flavor"/> that count against its limit for <paramref name="Hub"/>; <paramref name="Max"/> null: unlimited.</summary>
    public sealed record FlavorUse(string Hub, string Flavor, int InUse, int? Max);

    /// <summary>
    /// A live replica. <paramref name="LeaseLeft"/> is its liveness lease's expiry by this replica's clock, null for a
    /// single process; <paramref name="ClockAhead"/> is set when that expiry lies further out than a lease lasts, which
    /// only a clock ahead of this one explains (a clock behind cannot be told from a late renewal).
    /// </summary>
    public sealed record Replica(string Id, bool IsLeader, bool IsThisOne, TimeSpan? LeaseLeft, TimeSpan? ClockAhead);
}
