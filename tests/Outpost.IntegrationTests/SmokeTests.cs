namespace Outpost.IntegrationTests;

public sealed class SmokeTests
{
    [Fact]
    public void Backends_DefaultIsLocal() => Assert.Equal("Local", new Outpost.Backends.BackendsOptions().Default);
}
