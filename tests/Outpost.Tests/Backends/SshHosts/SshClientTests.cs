using Outpost.Backends.SshHosts;
using Outpost.Processes;

namespace Outpost.Tests.Backends.SshHosts;

/// <summary>The ssh command lines: argument lists with host keys checked, no agent, the master's socket, the script on stdin.</summary>
public sealed class SshClientTests
{
    private static readonly SshLogin Login = new("10.1.2.3", 2200, "alice", "/keys/id", "/keys/known_hosts");
    private readonly SshClient _client = new(new SshHostsBackendOptions(), "/run/outpost/ssh", new ProcessCommandRunner());

    [Fact]
    public void ScriptCommand_PutsTheScriptOnStdin_AndOnlyConstantTextAfterTheHost()
    {
        var command = _client.ScriptCommand(Login, "echo 'secret'\n", TimeSpan.FromSeconds(5));

        Assert.Equal("ssh", command.FileName);
        var arguments = command.Arguments.ToList();
        var host = arguments.IndexOf("--") + 1;
        Assert.Equal("10.1.2.3", arguments[host]);
        Assert.Equal([RemoteScripts.Login("/usr/local/bin:/usr/bin:/bin")], arguments[(host + 1)..]);
        Assert.Equal("echo 'secret'\n", command.StandardInput);
        Assert.DoesNotContain(arguments, a => a.Contains("secret", StringComparison.Ordinal));
        foreach (var option in new[] { "BatchMode=yes", "StrictHostKeyChecking=yes", "UserKnownHostsFile=/keys/known_hosts", "IdentitiesOnly=yes", "ControlMaster=no" })
        {
            Assert.Contains(option, arguments);
        }
        Assert.Equal(("-i", "/keys/id"), (arguments[arguments.IndexOf("-i")], arguments[arguments.IndexOf("-i") + 1]));
        Assert.Equal("alice", arguments[arguments.IndexOf("-l") + 1]);
        Assert.Equal("2200", arguments[arguments.IndexOf("-p") + 1]);
        Assert.True(command.Environment.ContainsKey("SSH_AUTH_SOCK") && command.Environment["SSH_AUTH_SOCK"] is null);
    }

    [Fact]
    public void ControlPath_IsShort_AndDiffersPerLogin()
    {
        var one = _client.ControlPath(Login);
        var other = _client.ControlPath(Login with { KeyFile = "/keys/other" });

        Assert.StartsWith("/run/outpost/ssh/", one, StringComparison.Ordinal);
        Assert.True(one.Length < 60);
        Assert.NotEqual(one, other);
        Assert.Equal(one, _client.ControlPath(Login with { }));
    }

    [Fact]
    public void Forward_AndMaster_Commands()
    {
        Assert.Equal("127.0.0.1:20001:127.0.0.1:40001", SshClient.LocalForward(20001, "127.0.0.1", 40001));
        Assert.Equal("127.0.0.1:20001:[::1]:40001", SshClient.LocalForward(20001, "::1", 40001));
        var forward = _client.ControlCommand(Login, "forward", "127.0.0.1:1:127.0.0.1:2").Arguments.ToList();
        Assert.Equal(["-O", "forward", "-L", "127.0.0.1:1:127.0.0.1:2", "--", "10.1.2.3"], forward[^6..]);
        var master = _client.MasterCommand(Login).Arguments.ToList();
        Assert.Contains("-M", master);
        Assert.Contains("-f", master);
        Assert.Equal("10.1.2.3", master[^1]);
    }
}
