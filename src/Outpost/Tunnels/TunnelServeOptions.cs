using System.Globalization;
using System.Net;

namespace Outpost.Tunnels;

/// <summary>
/// The options of <c>outpost tunnels serve</c>, from the command line, else the environment
/// (OUTPOST_TUNNEL_LISTEN, OUTPOST_TUNNEL_STATE_DIR, OUTPOST_TUNNEL_TOKEN_FILE, OUTPOST_TUNNEL_CHECK_SECONDS).
/// </summary>
public sealed record TunnelServeOptions(IPEndPoint Listen, string StateDirectory, string? TokenFile, TimeSpan CheckInterval, string SshCommand)
{
    public static TunnelServeOptions Parse(string[] args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is not ("--listen" or "--state-dir" or "--token-file" or "--check-interval" or "--ssh") || i + 1 >= args.Length)
            {
                throw new TunnelInputException(args[i], "is not an option of 'tunnels serve' (or lacks its value)");
            }
            values[args[i]] = args[++i];
        }
        string? Value(string option, string variable) => values.GetValueOrDefault(option) ?? environment(variable);

        var listenText = Value("--listen", "OUTPOST_TUNNEL_LISTEN") ?? "127.0.0.1:8089";
        if (!IPEndPoint.TryParse(listenText, out var listen) || listen.Port == 0)
        {
            throw new TunnelInputException("--listen", $"'{listenText}' is not ADDRESS:PORT (an IP address and a port 1..65535)");
        }
        var stateDirectory = Value("--state-dir", "OUTPOST_TUNNEL_STATE_DIR")
            ?? throw new TunnelInputException("--state-dir", "is required (or set OUTPOST_TUNNEL_STATE_DIR)");
        if (!Path.IsPathFullyQualified(stateDirectory))
        {
            throw new TunnelInputException("--state-dir", "must be an absolute path");
        }
        var intervalText = Value("--check-interval", "OUTPOST_TUNNEL_CHECK_SECONDS") ?? "10";
        if (!double.TryParse(intervalText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds is < 0.5 or > 3600)
        {
            throw new TunnelInputException("--check-interval", "must be a number of seconds in 0.5..3600");
        }
        return new TunnelServeOptions(listen, stateDirectory, Value("--token-file", "OUTPOST_TUNNEL_TOKEN_FILE"), TimeSpan.FromSeconds(seconds), values.GetValueOrDefault("--ssh") ?? "ssh");
    }
}
