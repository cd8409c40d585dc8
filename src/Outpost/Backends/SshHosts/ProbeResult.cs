using System.Globalization;
using Outpost.Processes;

namespace Outpost.Backends.SshHosts;

/// <summary>The answer of <see cref="RemoteScripts.Probe"/>: running, starting, exited, dead or gone.</summary>
internal sealed record ProbeResult(string State, int ExitCode = 0, bool Listening = false)
{
    public static ProbeResult Parse(CommandResult result)
    {
        var words = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim().Split(' ') ?? [];
        return words switch
        {
            ["running", _, _, var listening] => new ProbeResult("running", Listening: listening == "1"),
            ["exited", var code] => new ProbeResult("exited", int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var c) ? c : 1),
            ["starting"] or ["dead"] or ["gone"] => new ProbeResult(words[0]),
            // An answer the script cannot give: the remote shell is not what it should be. Not a reason to call the server ended.
            _ => throw new SshUnreachableException($"unexpected answer from the remote host: {SshClient.Summary(result)}"),
        };
    }
}
