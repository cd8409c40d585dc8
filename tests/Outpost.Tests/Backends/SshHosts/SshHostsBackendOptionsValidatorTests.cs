using Outpost.Backends.SshHosts;

namespace Outpost.Tests.Backends.SshHosts;

public sealed class SshHostsBackendOptionsValidatorTests
{
    [Fact]
    public void Valid_Options_Pass()
    {
        Assert.True(new SshHostsBackendOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void EveryBadValue_IsNamedByItsKey()
    {
        var options = Valid();
        options.Hosts.Add(new SshHostOptions { Name = "a", Address = "-oProxyCommand=x", Port = 0, KnownHostsFile = "" });
        options.Hosts.Add(new SshHostOptions { Name = "b c", Address = "ok.example.org", KnownHostsFile = "/k h", User = "a b", KeyFile = "/key%h" });
        options.User = "{username} x";
        options.Environment["BAD-NAME"] = "v";
        options.ServerIp = "localhost";
        options.PortRangeStart = 50000;
        options.PortRangeEnd = 40000;
        options.RemoteDirectory = "../up";
        options.HostChoice = "Random";
        options.StopGraceSeconds = -1;
        options.ControlDirectory = "/" + new string('x', 100);

        var failures = string.Join('\n', new SshHostsBackendOptionsValidator().Validate(null, options).Failures!);

        foreach (var key in new[]
        {
            "Hosts:1:Name 'a' is used by another host", "Hosts:1:Address", "Hosts:1:Port", "Hosts:1:KnownHostsFile is required",
            "Hosts:2:Name", "Hosts:2:KnownHostsFile", "Hosts:2:User", "Hosts:2:KeyFile", "SshHosts:User",
            "Environment:BAD-NAME", "ServerIp", "PortRangeStart", "RemoteDirectory", "HostChoice", "StopGraceSeconds", "ControlDirectory",
        })
        {
            Assert.Contains(key, failures, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NoHosts_AndNoKey_AreRefused()
    {
        var options = new SshHostsBackendOptions { User = "jupyter" };

        var failures = string.Join('\n', new SshHostsBackendOptionsValidator().Validate(null, options).Failures!);

        Assert.Contains("Outpost:Backends:SshHosts:Hosts must list at least one host", failures, StringComparison.Ordinal);
        options.Hosts.Add(new SshHostOptions { Name = "a", Address = "10.0.0.1", KnownHostsFile = "/k" });
        failures = string.Join('\n', new SshHostsBackendOptionsValidator().Validate(null, options).Failures!);
        Assert.Contains("Outpost:Backends:SshHosts:KeyFile is required", failures, StringComparison.Ordinal);
        options.AuthStateKey = "ssh_key";
        Assert.True(new SshHostsBackendOptionsValidator().Validate(null, options).Succeeded);
    }

    private static SshHostsBackendOptions Valid() => new()
    {
        User = "{username}",
        KeyFile = "/etc/outpost/ssh/id_ed25519",
        Hosts = [new SshHostOptions { Name = "a", Address = "node1.example.org", KnownHostsFile = "/etc/outpost/ssh/known_hosts" }],
    };
}
