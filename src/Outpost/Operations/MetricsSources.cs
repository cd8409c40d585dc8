using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Operations;

/// <summary>What a scrape reads besides the counters kept in memory.</summary>
public sealed record MetricsSources(
    IServerStore Servers,
    IOperationsStore Operations,
    ILeadership Leadership,
    IReadOnlyCollection<string> ConfiguredHubs,
    DateTimeOffset Now);
