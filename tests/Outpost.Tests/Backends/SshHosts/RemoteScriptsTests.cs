using System.Diagnostics;
using Outpost.Backends.SshHosts;

namespace Outpost.Tests.Backends.SshHosts;

/// <summary>
/// The remote scripts, run here the way sshd runs them (the login shell's <c>-c</c> with <see cref="RemoteScripts.Login"/>,
/// the script on stdin), in a private HOME: environment, quoting, pid and start time, exit code, stop.
/// </summary>
public sealed class RemoteScriptsTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("outpost-remote-scripts-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Start_GivesTheServerOnlyItsEnvironment_ValuesLiterally_AndRecordsPidTicksAndExitCode()
    {
        var marker = Path.Combine(_home, "marker");
        var input = new RemoteStart
        {
            RemoteDirectory = "servers",
            ResourceName = "it-one",
            PortCandidates = [45001, 45002],
            Environment = new Dictionary<string, string>
            {
                ["HOSTILE"] = $"'\"$(touch {marker})`touch {marker}`\n; touch {marker}",
                ["PLAIN"] = "value",
            },
            Files = [new("certs/server.key", "KEY'$(touch " + marker + ")")],
            FileEnvironment = new Dictionary<string, string> { ["KEYFILE"] = "certs/server.key" },
            ServiceUrl = new RemoteServiceUrl("http", "127.0.0.1", "/user/it's/"),
            Command = ["/bin/sh", "-c", "env > \"$HOME/env.out\"; exit 7"],
        };

        var output = Login(RemoteScripts.Start(input));

        var words = output.Trim().Split(' ');
        Assert.Equal("started", words[0]);
        Assert.Equal("45001", words[3]);
        var folder = Path.Combine(_home, "servers", "it-one");
        WaitFor(() => File.Exists(Path.Combine(folder, "exit")));
        Assert.Equal("7", File.ReadAllText(Path.Combine(folder, "exit")).Trim());
        var env = File.ReadAllLines(Path.Combine(_home, "env.out")).Where(l => l.Contains('=')).ToList();
        var names = env.Select(l => l.Split('=')[0]).Where(n => n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')).ToHashSet();
        Assert.Subset(new HashSet<string> { "HOME", "USER", "LOGNAME", "SHELL", "LANG", "PATH", "PWD", "SHLVL", "_", "OLDPWD", "HOSTILE", "PLAIN", "KEYFILE", "JUPYTERHUB_SERVICE_URL" }, names);
        Assert.Contains("PLAIN=value", env);
        Assert.Contains("JUPYTERHUB_SERVICE_URL=http://127.0.0.1:45001/user/it's/", env);
        Assert.Contains($"KEYFILE={folder}/certs/server.key", env);
        Assert.Equal("KEY'$(touch " + marker + ")", File.ReadAllText(Path.Combine(folder, "certs", "server.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "certs", "server.key")));
        Assert.False(File.Exists(marker));
        // The wrapper wrote its own pid and start time, as /proc has them.
        var pidLine = File.ReadAllText(Path.Combine(folder, "pid")).Trim().Split(' ');
        Assert.Equal(words[1..3], pidLine);

        Assert.Equal("exited 7", Login(RemoteScripts.Probe(RemoteScripts.ServerDirectory("servers", "it-one"), 0, 0, 45001)).Trim());
        Assert.Equal("stopped", Login(RemoteScripts.Stop(RemoteScripts.ServerDirectory("servers", "it-one"), 0, 0, 1)).Trim());
        Assert.False(Directory.Exists(folder));
        Assert.Equal("gone", Login(RemoteScripts.Probe(RemoteScripts.ServerDirectory("servers", "it-one"), 0, 0, 45001)).Trim());
    }

    [Fact]
    public void Probe_OfAPidWithAnotherStartTime_SaysDead_AndStopLeavesThatProcessAlone()
    {
        using var other = Process.Start("sleep", "60");
        Directory.CreateDirectory(Path.Combine(_home, "servers", "it-two"));
        var ticks = long.Parse(File.ReadAllText($"/proc/{other.Id}/stat").Split(") ")[1].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture);
        var directory = RemoteScripts.ServerDirectory("servers", "it-two");

        Assert.Equal("dead", Login(RemoteScripts.Probe(directory, other.Id, ticks + 1, 45003)).Trim());
        Assert.StartsWith("running", Login(RemoteScripts.Probe(directory, other.Id, ticks, 45003)).Trim(), StringComparison.Ordinal);
        Login(RemoteScripts.Stop(directory, other.Id, ticks + 1, 1));

        Assert.False(other.HasExited);
        other.Kill();
    }

    [Theory]
    [InlineData(".outpost-servers", "r1", "\"$HOME\"/'.outpost-servers/r1'")]
    [InlineData("/srv/jupyter/", "r1", "'/srv/jupyter/r1'")]
    [InlineData("it's", "r1", "\"$HOME\"/'it'\\''s/r1'")]
    public void ServerDirectory_IsQuoted_UnderTheHomeUnlessAbsolute(string remoteDirectory, string resource, string expected)
    {
        Assert.Equal(expected, RemoteScripts.ServerDirectory(remoteDirectory, resource));
    }

    [Fact]
    public void Start_RefusesAVariableNameTheShellCannotTake()
    {
        var input = new RemoteStart
        {
            RemoteDirectory = "s", ResourceName = "r", PortCandidates = [45000],
            Environment = new Dictionary<string, string> { ["A;touch x"] = "v" },
            ServiceUrl = new RemoteServiceUrl("http", "127.0.0.1", "/"), Command = ["true"],
        };
        Assert.Throws<ArgumentException>(() => RemoteScripts.Start(input));
    }

    /// <summary>As sshd does: the login shell runs the command with -c; the script comes on stdin.</summary>
    private string Login(string script)
    {
        var start = new ProcessStartInfo("/bin/bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(RemoteScripts.Login("/usr/bin:/bin"));
        start.Environment["HOME"] = _home;
        start.Environment["OUTPOST_TEST_LEAK"] = "must not reach the server";
        return PosixShellTests.Run(start, script);
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(20);
        }
    }
}
