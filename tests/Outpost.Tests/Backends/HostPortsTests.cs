using Outpost.Backends;
using Outpost.Servers;

namespace Outpost.Tests.Backends;

public class HostPortsTests
{
    [Fact]
    public async Task Many_starts_at_once_are_never_handed_the_same_port()
    {
        var spec = new ServerSpec { Name = "s", StartId = "1", Env = new Dictionary<string, string>() };
        var ports = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => Task.Run(() => HostPorts.Choose(spec, "127.0.0.1"))));
        Assert.Equal(ports.Length, ports.Distinct().Count());
    }
}
