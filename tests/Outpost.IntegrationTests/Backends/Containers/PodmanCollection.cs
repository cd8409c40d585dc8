namespace Outpost.IntegrationTests.Backends.Containers;

/// <summary>The container tests share one Podman service and one image.</summary>
[CollectionDefinition(Name)]
public sealed class PodmanCollection : ICollectionFixture<PodmanEngine>
{
    public const string Name = "Podman";
}
