namespace Outpost.IntegrationTests.Robustness;

/// <summary>
/// The robustness tests run by themselves, after the others: they keep both cores busy with thousands of requests,
/// which would starve the timing-sensitive tests (leases, fail-over) running beside them, and their memory figures
/// are only meaningful without other Outposts running in the same moment.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RobustnessCollection
{
    public const string Name = "robustness";
}
