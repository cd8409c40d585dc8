using Microsoft.Extensions.Options;
using Outpost.Flavors;
using Outpost.Hubs;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Status;

/// <summary>Reads a <see cref="StatusReport"/> from the store, the flavor configuration and the replicas' leases.</summary>
public sealed class StatusReportReader(
    IServerStore servers,
    IOperationsStore operations,
    IHubStore hubStore,
    IOptions<HubsOptions> hubs,
    FlavorCatalog flavors,
    ILeadership leadership,
    ReplicaIdentity identity,
    IOptions<ReplicasOptions> replicas,
    IOptionsMonitor<StatusPageOptions> options,
    TimeProvider time)
{
    private static readonly ServerPhase[] AllPhases = Enum.GetValues<ServerPhase>();

    public async Task<StatusReport> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var all = await servers.ListByPhaseAsync(AllPhases, cancellationToken);
        var backlog = await operations.EventBacklogAsync(cancellationToken);
        var hubNames = new SortedSet<string>(hubs.Value.Hubs.Keys, StringComparer.Ordinal);
        hubNames.UnionWith(await hubStore.ListAsync(cancellationToken));
        hubNames.UnionWith(all.Select(s => s.Key.Hub));
        hubNames.UnionWith(backlog.Select(b => b.Hub));

        var byHub = all.ToLookup(s => s.Key.Hub, StringComparer.Ordinal);
        var hubRows = hubNames.Select(hub => new StatusReport.HubServers(hub,
            AllPhases.ToDictionary(phase => phase, phase => byHub[hub].Count(s => s.Phase == phase)))).ToList();
        var listed = all
            .OrderBy(s => s.Key.Hub, StringComparer.Ordinal).ThenBy(s => s.Phase).ThenBy(s => s.UserName, StringComparer.Ordinal).ThenBy(s => s.Key.Name, StringComparer.Ordinal)
            .Take(settings.MaxServersListed)
            .Select(s => new StatusReport.Server(s.Key.Hub, s.Key.Name, s.UserName, s.Phase, s.Backend, s.Flavor, s.LastUpdate))
            .ToList();
        var failures = all
            .Where(s => s.Phase == ServerPhase.Failed || (s.Phase == ServerPhase.Stopped && (s.Error is not null || s.ExitCode is not (null or 0))))
            .OrderByDescending(s => s.LastUpdate)
            .Take(settings.RecentFailures)
            .Select(s => new StatusReport.Failure(s.Key.Hub, s.Key.Name, s.UserName, s.Phase, s.ExitCode, s.LastUpdate, s.Error ?? ""))
            .ToList();
        var backlogRows = backlog.Select(b => new StatusReport.Backlog(b.Hub, b.Count, Positive(now - b.OldestCreatedAt))).ToList();
        return new StatusReport(now, identity.Id, hubRows, listed, all.Count - listed.Count, failures, backlogRows,
            FlavorUse(hubNames, all), await ReplicasAsync(now, cancellationToken));
    }

    /// <summary>Per hub, each flavor it may use with the servers counting against it (pending, starting, running).</summary>
    private List<StatusReport.FlavorUse> FlavorUse(IEnumerable<string> hubNames, IReadOnlyList<ServerRecord> all)
    {
        var config = flavors.Current;
        var rows = new List<StatusReport.FlavorUse>();
        foreach (var hub in hubNames)
        {
            foreach (var (flavor, definition) in FlavorSelector.ForHub(config, hub))
            {
                var inUse = all.Count(s => s.Key.Hub == hub && s.Flavor == flavor && s.Phase is ServerPhase.Pending or ServerPhase.Starting or ServerPhase.Running);
                var max = FlavorConfigReader.Number(definition, "max", -1);
                rows.Add(new StatusReport.FlavorUse(hub, flavor, inUse, max < 0 ? null : max));
            }
        }
        return rows;
    }

    private async Task<List<StatusReport.Replica>> ReplicasAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!leadership.IsReplicated)
        {
            return [new StatusReport.Replica(identity.Id, leadership.IsLeader, IsThisOne: true, LeaseLeft: null, ClockAhead: null)];
        }
        var ttl = TimeSpan.FromSeconds(replicas.Value.LeaseSeconds);
        var leases = await operations.ListLeasesAsync(cancellationToken);
        var leader = leases.FirstOrDefault(l => l.Name == LeaderElection.LeaderLease && l.ExpiresAt > now)?.Holder;
        return [.. leases
            .Where(l => l.Name.StartsWith(LeaderElection.ReplicaLeasePrefix, StringComparison.Ordinal) && l.ExpiresAt > now)
            .Select(l =>
            {
                var left = l.ExpiresAt - now;
                // Leeway for the time a renewal takes to reach the database.
                TimeSpan? ahead = left > ttl + TimeSpan.FromSeconds(1) ? left - ttl : null;
                return new StatusReport.Replica(l.Holder, l.Holder == leader, l.Holder == identity.Id, left, ahead);
            })];
    }

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.Zero;
}
