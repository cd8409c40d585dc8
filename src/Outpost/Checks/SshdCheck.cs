using System.ComponentModel;
using Outpost.Processes;

namespace Outpost.Checks;

/// <summary>
/// How sshd treats the forward-only tunnel account, asked of sshd itself (<c>sshd -T -C user=…</c> prints the
/// settings that apply to a connection of that user, Match blocks and drop-ins included): local forwards only,
/// to the addresses servers listen on, no terminal, no command. sshd reads its host keys for this, so a user
/// who may not read them gets a warning that it could not be checked, not a failure.
/// </summary>
internal static class SshdCheck
{
    public static async Task<IReadOnlyList<CheckLine>> RunAsync(CheckOptions options, IReadOnlyList<string> serverAddresses, ICommandRunner runner, CancellationToken cancellationToken)
    {
        var user = options.TunnelUser!;
        var subject = $"sshd tunnel account {user}";
        var command = new CommandSpec
        {
            FileName = options.Sshd,
            Arguments = ["-T", "-f", options.SshdConfig, "-C", $"user={user},host=outpost-check,addr=127.0.0.1"],
            Timeout = TimeSpan.FromSeconds(10),
        };
        CommandResult result;
        try
        {
            result = await runner.RunAsync(command, cancellationToken);
        }
        catch (Exception ex) when (ex is Win32Exception or TimeoutException or InvalidOperationException)
        {
            return [CheckLine.Warn(subject, $"cannot be checked: {command.FileName}: {ex.Message}", "install openssh-server here, or set Outpost:Check:Sshd to the sshd program")];
        }
        if (!result.Succeeded)
        {
            var why = (result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {result.ExitCode}");
            return [CheckLine.Warn(subject, $"cannot be checked: `sshd -T -f {options.SshdConfig}` says: {why}",
                "run `outpost check` as a user who may read that file and the host keys (e.g. root), or set Outpost:Check:SshdConfig to the file the tunnel's sshd uses")];
        }
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2);
            settings.TryAdd(parts[0], parts.Length > 1 ? parts[1] : "");
        }
        string Get(string key) => settings.TryGetValue(key, out var value) ? value : "";
        var where = $"in the `Match User {user}` block of {options.SshdConfig}";

        var lines = new List<CheckLine>();
        var forwarding = Get("allowtcpforwarding");
        if (forwarding is "no" or "remote")
        {
            lines.Add(CheckLine.Fail(subject, $"AllowTcpForwarding is {forwarding}: hubs cannot open their tunnels", $"set AllowTcpForwarding local {where}"));
        }
        else if (forwarding != "local")
        {
            lines.Add(CheckLine.Warn(subject, $"AllowTcpForwarding is {forwarding}: the account may also open remote (-R) forwards", $"set AllowTcpForwarding local {where}"));
        }
        var permitOpen = Get("permitopen").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (permitOpen is ["none"])
        {
            lines.Add(CheckLine.Fail(subject, "PermitOpen is none: no tunnel can reach a server", $"set PermitOpen {string.Join(' ', serverAddresses.Select(a => a + ":*"))} {where}"));
        }
        else if (permitOpen.Length == 0 || permitOpen.Contains("any"))
        {
            lines.Add(CheckLine.Warn(subject, "PermitOpen allows any address: a hub's key reaches every host and port this machine reaches",
                $"set PermitOpen to the servers' addresses ({string.Join(' ', serverAddresses.Select(a => a + ":*"))}) {where}"));
        }
        else if (serverAddresses.Where(address => !permitOpen.Any(entry => Covers(entry, address))).ToList() is { Count: > 0 } missing)
        {
            lines.Add(CheckLine.Fail(subject, $"PermitOpen {string.Join(' ', permitOpen)} does not reach {string.Join(", ", missing.Select(a => a + ":*"))}, where servers listen",
                $"add {string.Join(' ', missing.Select(a => a + ":*"))} to PermitOpen {where} (hosts are compared literally)"));
        }
        if (Get("permittty") != "no")
        {
            lines.Add(CheckLine.Warn(subject, "PermitTTY is not no: the account may ask for a terminal", $"set PermitTTY no {where}"));
        }
        var forceCommand = Get("forcecommand");
        if (forceCommand.Length == 0 || forceCommand == "none")
        {
            lines.Add(CheckLine.Warn(subject, "no ForceCommand: the account may run commands", $"set ForceCommand /bin/false {where}"));
        }
        if (lines.Count == 0)
        {
            lines.Add(CheckLine.Ok(subject, $"local forwards only, to {string.Join(' ', permitOpen)}; no terminal; command {forceCommand}"));
        }
        return lines;
    }

    /// <summary>Whether a PermitOpen entry (<c>host:port</c>, either may be <c>*</c>) allows every port of <paramref name="address"/>.</summary>
    private static bool Covers(string entry, string address)
    {
        var colon = entry.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }
        var host = entry[..colon].Trim('[', ']');
        return entry[(colon + 1)..] == "*" && (host == "*" || string.Equals(host, address, StringComparison.OrdinalIgnoreCase));
    }
}
