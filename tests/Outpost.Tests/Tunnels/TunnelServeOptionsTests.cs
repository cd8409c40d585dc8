using Outpost.Tunnels;

namespace Outpost.Tests.Tunnels;

public class TunnelServeOptionsTests
{
    [Fact]
    public void Defaults_bind_to_loopback()
    {
        var options = TunnelServeOptions.Parse(["--state-dir", "/var/lib/tunnels"], _ => null);
        Assert.Equal("127.0.0.1:8089", options.Listen.ToString());
        Assert.Equal(TimeSpan.FromSeconds(10), options.CheckInterval);
    }

    [Fact]
    public void The_environment_fills_in_what_the_command_line_leaves_out()
    {
        var options = TunnelServeOptions.Parse(["--listen", "0.0.0.0:9000"], name => name switch
        {
            "OUTPOST_TUNNEL_STATE_DIR" => "/state",
            "OUTPOST_TUNNEL_LISTEN" => "127.0.0.1:1",
            "OUTPOST_TUNNEL_CHECK_SECONDS" => "2.5",
            _ => null,
        });
        Assert.Equal("0.0.0.0:9000", options.Listen.ToString());
        Assert.Equal("/state", options.StateDirectory);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.CheckInterval);
    }

    [Theory]
    [InlineData(new[] { "--listen", "localhost:80", "--state-dir", "/s" }, "--listen")]
    [InlineData(new[] { "--listen", "127.0.0.1", "--state-dir", "/s" }, "--listen")]
    [InlineData(new[] { "--state-dir", "relative" }, "--state-dir")]
    [InlineData(new string[0], "--state-dir")]
    [InlineData(new[] { "--state-dir", "/s", "--check-interval", "0" }, "--check-interval")]
    [InlineData(new[] { "--state-dir", "/s", "--bogus", "1" }, "--bogus")]
    public void Bad_options_name_themselves(string[] args, string field) =>
        Assert.Equal(field, Assert.Throws<TunnelInputException>(() => TunnelServeOptions.Parse(args, _ => null)).Field);
}
