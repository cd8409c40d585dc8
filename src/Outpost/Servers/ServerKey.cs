namespace Outpost.Servers;

/// <summary>
/// Identifies one server on this Outpost: the hub that owns it, the server name the hub uses
/// (empty for a user's default server) and the hub's start id. Every lookup is scoped by all three,
/// so two hubs can use the same names without seeing each other.
/// </summary>
public readonly record struct ServerKey(string Hub, string Name, string StartId)
{
    public override string ToString() => $"{Hub}/{Name}/{StartId}";
}
