using Outpost.Servers;

namespace Outpost.Admin;

/// <summary>One server as <c>outpost servers list</c> shows it; of every hub.</summary>
public sealed record AdminServer(
    string Hub,
    string Name,
    string StartId,
    string User,
    string Phase,
    string Backend,
    string? Flavor,
    string? Service,
    DateTimeOffset StartDate,
    DateTimeOffset LastUpdate)
{
    public static AdminServer From(ServerRecord record) => new(
        record.Key.Hub, record.Key.Name, record.Key.StartId, record.UserName, record.Phase.ToString().ToLowerInvariant(),
        record.Backend, record.Flavor, record.ServiceAddress, record.StartDate, record.LastUpdate);
}
