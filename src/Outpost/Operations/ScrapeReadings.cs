using System.Diagnostics.Metrics;

namespace Outpost.Operations;

/// <summary>What one scrape read from the store and the leadership, reported by the observable gauges.</summary>
internal sealed record ScrapeReadings(
    bool IsLeader,
    Measurement<long>[] Servers,
    Measurement<long>[] Backlog,
    Measurement<long>[] BacklogByHub,
    Measurement<double>[] OldestByHub);
