namespace Outpost.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Backends_Names_AreStable() => Assert.Equal("Local", Outpost.Backends.BackendNames.Local);
}
