using System.Diagnostics;

namespace Outpost.IntegrationTests.Checks;

/// <summary>
/// <c>outpost check</c> asking the real sshd (<c>sshd -T -C user=…</c>) how it treats the tunnel account, with an
/// sshd_config and host key of the test's own; sshd is never started.
/// </summary>
public sealed class SshdCheckCommandTests
{
    private const string User = "outposttunnel";

    [SshdFact]
    public async Task Check_ForwardOnlyAccount_Ok()
    {
        var (exitCode, output, errors) = await CheckAsync("""
            AllowTcpForwarding local
            PermitOpen 127.0.0.1:*
            PermitTTY no
            ForceCommand /bin/false
            """);

        Assert.True(exitCode == 0, output + errors);
        Assert.Contains($"ok    sshd tunnel account {User}: local forwards only, to 127.0.0.1:*; no terminal; command /bin/false", CheckCommandTests.Lines(output));
    }

    [SshdFact]
    public async Task Check_AccountThatCannotReachTheServers_FailsAndWarnsWithFixes()
    {
        var (exitCode, output, errors) = await CheckAsync("""
            AllowTcpForwarding yes
            PermitOpen localhost:*
            """);

        Assert.True(exitCode == 2, output + errors);
        var lines = CheckCommandTests.Lines(output);
        var first = Array.FindIndex(lines, l => l.Contains("sshd tunnel account", StringComparison.Ordinal));
        var where = $"in the `Match User {User}` block of {_config}";
        Assert.Equal(
        [
            $"warn  sshd tunnel account {User}: AllowTcpForwarding is yes: the account may also open remote (-R) forwards",
            $"      fix: set AllowTcpForwarding local {where}",
            $"fail  sshd tunnel account {User}: PermitOpen localhost:* does not reach 127.0.0.1:*, where servers listen",
            $"      fix: add 127.0.0.1:* to PermitOpen {where} (hosts are compared literally)",
            $"warn  sshd tunnel account {User}: PermitTTY is not no: the account may ask for a terminal",
            $"      fix: set PermitTTY no {where}",
            $"warn  sshd tunnel account {User}: no ForceCommand: the account may run commands",
            $"      fix: set ForceCommand /bin/false {where}",
        ], lines[first..(first + 8)]);
    }

    [SshdFact]
    public async Task Check_ConfigFileMissing_WarnsThatItCannotBeChecked()
    {
        var dataDir = await CheckCommandTests.MigratedDataDirAsync();
        var missing = Path.Combine(dataDir, "no-sshd_config");

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, new()
        {
            ["Outpost:Check:TunnelUser"] = User,
            ["Outpost:Check:SshdConfig"] = missing,
        }, "check");

        Assert.True(exitCode == 1, output + errors);
        Assert.Contains($"warn  sshd tunnel account {User}: cannot be checked: `sshd -T -f {missing}` says: {missing}: No such file or directory", CheckCommandTests.Lines(output));
    }

    private string _config = "";

    private async Task<(int ExitCode, string Output, string Errors)> CheckAsync(string matchBlock)
    {
        var dataDir = await CheckCommandTests.MigratedDataDirAsync();
        var folder = Directory.CreateTempSubdirectory("outpost-sshd-check-").FullName;
        var hostKey = Path.Combine(folder, "host_key");
        using (var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])!)
        {
            await keygen.WaitForExitAsync();
            Assert.Equal(0, keygen.ExitCode);
        }
        _config = Path.Combine(folder, "sshd_config");
        var indented = string.Join('\n', matchBlock.Split('\n').Select(line => "    " + line));
        await File.WriteAllTextAsync(_config, $"""
            Port 2299
            ListenAddress 127.0.0.1
            HostKey {hostKey}
            AllowTcpForwarding no
            PermitOpen none
            Match User {User}
            {indented}

            """);
        var before = DirectorySnapshot.Take(dataDir);
        var result = await CommandLineTests.RunWithEnvAsync(dataDir, new()
        {
            ["Outpost:Check:TunnelUser"] = User,
            ["Outpost:Check:SshdConfig"] = _config,
        }, "check");
        Assert.Equal(before, DirectorySnapshot.Take(dataDir));
        return result;
    }
}

/// <summary>A test that needs OpenSSH's sshd (Debian's openssh-server); skipped with the reason elsewhere.</summary>
public sealed class SshdFactAttribute : FactAttribute
{
    public SshdFactAttribute()
    {
        if (!File.Exists("/usr/sbin/sshd") || !File.Exists("/usr/bin/ssh-keygen"))
        {
            Skip = "needs /usr/sbin/sshd and ssh-keygen (apt-get install openssh-server)";
        }
    }
}
