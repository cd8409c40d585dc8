namespace Outpost.Bench.Backends;

/// <summary>
/// One backend P11 measures: the profile that selects it in the bench's Outpost, the prefix of its servers' names,
/// and how many starts it is given at once when it fills up (the Container backend's engine is the slow part).
/// </summary>
public sealed record BackendArm(string Name, string Profile, string Prefix, int Parallel)
{
    public static readonly BackendArm Local = new("Local", Hosts.BenchHost.LocalProfile, "p11local", 8);
    public static readonly BackendArm Spawner = new("Spawner", "spawner", "p11spawner", 8);
    public static readonly BackendArm Container = new("Container", "containers", "p11container", 4);

    public bool IsBaseline => this == Local;
}
