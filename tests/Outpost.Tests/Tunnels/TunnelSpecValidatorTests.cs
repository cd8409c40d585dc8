using Outpost.Tunnels;

namespace Outpost.Tests.Tunnels;

public class TunnelSpecValidatorTests
{
    private static TunnelRequest Good() => new()
    {
        LocalPort = 40001, RemoteHost = "10.0.0.5", RemotePort = 8888,
        SshNode = "outpost.example.org", SshPort = 2222, SshUser = "tunnel", SshKey = "/keys/id_ed25519",
    };

    [Fact]
    public void A_good_request_becomes_a_spec_with_defaults()
    {
        var spec = TunnelSpecValidator.Validate("jupyter-alice-1", Good());
        Assert.Equal("127.0.0.1:40001:10.0.0.5:8888", spec.ForwardSpec);
        Assert.Equal(2222, spec.SshPort);
        Assert.Empty(spec.SshOptions);
    }

    [Fact]
    public void IPv6_addresses_are_bracketed_in_the_forward()
    {
        var request = Good();
        request.BindAddress = "::1";
        request.RemoteHost = "fd00::5";
        Assert.Equal("[::1]:40001:[fd00::5]:8888", TunnelSpecValidator.Validate("s1", request).ForwardSpec);
    }

    [Theory]
    [InlineData("-oProxyCommand=touch /tmp/x", "sshNode")]
    [InlineData("host name", "sshNode")]
    [InlineData("host;id", "sshNode")]
    [InlineData("", "sshNode")]
    [InlineData("a_b.example", "sshNode")]
    public void Hostile_ssh_nodes_are_refused_naming_the_field(string node, string field)
    {
        var request = Good();
        request.SshNode = node;
        Assert.Equal(field, Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
    }

    [Theory]
    [InlineData("root@evil")]
    [InlineData("-oProxyCommand")]
    [InlineData("Alice")]
    [InlineData("a b")]
    [InlineData("")]
    public void Hostile_users_are_refused(string user)
    {
        var request = Good();
        request.SshUser = user;
        Assert.Equal("sshUser", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
    }

    [Theory]
    [InlineData(0, "localPort")]
    [InlineData(65536, "localPort")]
    [InlineData(-1, "localPort")]
    public void Ports_outside_the_range_are_refused(int port, string field)
    {
        var request = Good();
        request.LocalPort = port;
        Assert.Equal(field, Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
        request = Good();
        request.RemotePort = port;
        Assert.Equal("remotePort", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
        request = Good();
        request.SshPort = port;
        Assert.Equal("sshPort", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
    }

    [Theory]
    [InlineData("ProxyCommand", "sh -c id")]
    [InlineData("proxycommand", "nc %h %p")]
    [InlineData("LocalCommand", "id")]
    [InlineData("PermitLocalCommand", "yes")]
    [InlineData("KnownHostsCommand", "/bin/id")]
    [InlineData("Match", "exec id")]
    [InlineData("Include", "/etc/passwd")]
    [InlineData("ControlPath", "/tmp/other")]
    [InlineData("ServerAliveInterval", "15\nProxyCommand id")]
    [InlineData("ConnectTimeout", "10 -oProxyCommand=id")]
    public void Options_off_the_allow_list_or_with_odd_values_are_refused(string name, string value)
    {
        var request = Good();
        request.SshOptions = new() { [name] = value };
        Assert.Equal("sshOptions", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
    }

    [Fact]
    public void Allow_listed_options_pass()
    {
        var request = Good();
        request.SshOptions = new() { ["ServerAliveInterval"] = "30", ["StrictHostKeyChecking"] = "yes" };
        Assert.Equal("30", TunnelSpecValidator.Validate("s1", request).SshOptions["ServerAliveInterval"]);
    }

    [Theory]
    [InlineData("relative/key")]
    [InlineData("/keys/../etc/shadow")]
    [InlineData("/keys/a\nb")]
    public void Key_paths_must_be_plain_absolute_paths(string key)
    {
        var request = Good();
        request.SshKey = key;
        Assert.Equal("sshKey", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("")]
    [InlineData("-rf")]
    public void Server_ids_are_plain_names(string id) =>
        Assert.Equal("serverId", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate(id, Good())).Field);

    [Fact]
    public void The_bind_address_must_be_an_IP_address()
    {
        var request = Good();
        request.BindAddress = "localhost";
        Assert.Equal("bindAddress", Assert.Throws<TunnelInputException>(() => TunnelSpecValidator.Validate("s1", request)).Field);
    }
}
