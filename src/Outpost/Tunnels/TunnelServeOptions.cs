using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;

namespace Outpost.Tunnels;

/// <summary>
/// The options of <c>outpost tunnels serve</c>, from the command line, else the environment
/// (OUTPOST_TUNNEL_LISTEN, OUTPOST_TUNNEL_STATE_DIR, OUTPOST_TUNNEL_TOKEN_FILE, OUTPOST_TUNNEL_CHECK_SECONDS).
/// </summary>
public sealed record TunnelServeOptions(IPEndPoint Listen, string StateDirectory, string? TokenFile, TimeSpan CheckInterval, string SshCommand)
{
    /// <summary>Parses the options alone (as <c>outpost tunnels serve</c> receives them).</summary>
    public static TunnelServeOptions Parse(string[] args, Func<string, string?> environment)
    {
        var command = new Command("serve");
        var definition = Definition.AddTo(command);
        return definition.Read(Hosting.CommandLineInvocation.Parse(command, args), environment);
    }

    /// <summary>The command-line options; <see cref="Read"/> validates them with the environment as fallback.</summary>
    public sealed class Definition
    {
        private readonly Option<string> _listen = new("--listen") { Description = "ADDRESS:PORT to listen on (default 127.0.0.1:8089; OUTPOST_TUNNEL_LISTEN)", HelpName = "ADDRESS:PORT" };
        private readonly Option<string> _stateDir = new("--state-dir") { Description = "absolute directory for state, control sockets and known_hosts (OUTPOST_TUNNEL_STATE_DIR)", HelpName = "DIR" };
        private readonly Option<string> _tokenFile = new("--token-file") { Description = "file holding the bearer token (OUTPOST_TUNNEL_TOKEN_FILE; else OUTPOST_TUNNEL_TOKEN)", HelpName = "FILE" };
        private readonly Option<string> _checkInterval = new("--check-interval") { Description = "seconds between health checks of the forwards, 0.5..3600 (default 10; OUTPOST_TUNNEL_CHECK_SECONDS)", HelpName = "S" };
        // Which ssh program runs the forwards; kept as before, but not offered in the help.
        private readonly Option<string> _ssh = new("--ssh") { Hidden = true };

        private Definition(Command command)
        {
            // Unknown tokens are reported by Read, naming the token as the field.
            command.TreatUnmatchedTokensAsErrors = false;
            foreach (var option in new[] { _listen, _stateDir, _tokenFile, _checkInterval, _ssh })
            {
                command.Options.Add(option);
            }
        }

        public static Definition AddTo(Command command) => new(command);

        public TunnelServeOptions Read(ParseResult result, Func<string, string?> environment)
        {
            if (result.Errors is [var error, ..])
            {
                throw new TunnelInputException(error.SymbolResult is OptionResult option ? option.Option.Name : "tunnels serve", error.Message);
            }
            if (result.UnmatchedTokens is [var unknown, ..])
            {
                throw new TunnelInputException(unknown, "is not an option of 'tunnels serve' (or lacks its value)");
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var option in new[] { _listen, _stateDir, _tokenFile, _checkInterval, _ssh })
            {
                if (result.GetValue(option) is { } value)
                {
                    values[option.Name] = value;
                }
            }
            return FromValues(values, environment);
        }
    }

    private static TunnelServeOptions FromValues(Dictionary<string, string> values, Func<string, string?> environment)
    {
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
