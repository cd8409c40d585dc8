using System.Net;
using System.Net.Sockets;
using Outpost.Backends;
using Outpost.Backends.LocalProcess;
using Outpost.Servers;

namespace Outpost.Tests.Backends;

public class HostPortsTests
{
    private static readonly ServerSpec Spec = new() { Name = "s", StartId = "1", Env = new Dictionary<string, string>() };

    [Fact]
    public async Task Many_starts_at_once_are_never_handed_the_same_port()
    {
        var ports = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => Task.Run(() => HostPorts.Choose(Spec, "127.0.0.1"))));
        Assert.Equal(ports.Length, ports.Distinct().Count());
    }

    [Fact]
    public async Task Ports_are_picked_below_the_kernels_ephemeral_range()
    {
        var ports = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => HostPorts.Choose(Spec, "127.0.0.1", 32768))));

        Assert.All(ports, p => Assert.InRange(p, HostPorts.LowestPort, 32767));
        Assert.Equal(ports.Length, ports.Distinct().Count());
    }

    [Fact]
    public void Without_room_below_the_range_the_kernel_picks()
    {
        var port = HostPorts.Choose(Spec, "127.0.0.1", HostPorts.LowestPort);

        Assert.InRange(port, 1024, 65535);
    }

    [Fact]
    public void The_ephemeral_range_is_read_from_the_kernel()
    {
        var low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0]);

        Assert.Equal(low, HostPorts.EphemeralStart());
    }

    [Fact]
    public void A_probe_connected_to_itself_is_not_taken_for_a_listening_server()
    {
        using var self = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        self.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        self.Connect(self.LocalEndPoint!); // Linux: a simultaneous open with itself, as the kernel can make by chance
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Connect(listener.LocalEndpoint);

        Assert.True(LocalProcessBackend.IsSelfConnect(self));
        Assert.False(LocalProcessBackend.IsSelfConnect(probe));
    }
}
