using System.Text;
using System.Text.RegularExpressions;

namespace Outpost.Backends.Batch;

/// <summary>
/// Renders a batch script from a template: a pure function of its inputs. The only substitution is a fixed set of
/// <c>{{name}}</c> placeholders: the scheduler's directive lines (under the scheduler's own placeholder name),
/// <c>{{setup}}</c>, <c>{{prologue}}</c>, <c>{{command}}</c> and <c>{{epilogue}}</c>. Values from hubs and users never
/// enter the text: the job's variables travel through the submit command's environment, directive values are
/// checked by the scheduler's class, and the command's words are single-quoted. A line that holds nothing but a
/// placeholder which renders empty is dropped.
/// </summary>
public static partial class JobScript
{
    /// <summary>
    /// Fixed lines for internal_ssl. The certificates travel in the job's environment (like the server's API token):
    /// the Outpost cannot create files owned by the job's user, and a shared folder would need cleaning even when the
    /// Outpost is down. The job writes them to a folder only its user can read, on the node, and removes it when the
    /// job ends, also when it is cancelled (Slurm signals the job shell with SIGTERM first; Grid Engine, asked with
    /// <c>-notify</c>, with SIGUSR2).
    /// </summary>
    public const string SslSetup =
        """
        # internal_ssl: write the hub's certificates for this server where only this job's user can read them.
        OUTPOST_SSL_DIR="$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/outpost-ssl.XXXXXXXX")"
        outpost_ssl_cleanup() { rm -rf "$OUTPOST_SSL_DIR"; }
        trap outpost_ssl_cleanup EXIT
        trap 'outpost_ssl_cleanup; exit 143' TERM
        trap 'outpost_ssl_cleanup; exit 130' INT
        trap 'outpost_ssl_cleanup; exit 140' USR2
        (umask 077
         printf '%s\n' "$OUTPOST_SSL_KEY" > "$OUTPOST_SSL_DIR/server.key"
         printf '%s\n' "$OUTPOST_SSL_CERT" > "$OUTPOST_SSL_DIR/server.crt"
         printf '%s\n' "$OUTPOST_SSL_CA" > "$OUTPOST_SSL_DIR/notebooks-ca_trust.crt")
        unset OUTPOST_SSL_KEY OUTPOST_SSL_CERT OUTPOST_SSL_CA
        export JUPYTERHUB_SSL_KEYFILE="$OUTPOST_SSL_DIR/server.key"
        export JUPYTERHUB_SSL_CERTFILE="$OUTPOST_SSL_DIR/server.crt"
        export JUPYTERHUB_SSL_CLIENT_CA="$OUTPOST_SSL_DIR/notebooks-ca_trust.crt"
        echo "outpost: internal_ssl certificates in $OUTPOST_SSL_DIR (removed when the job ends)" >&2
        """;

    /// <summary>Fixed Python run by the job to tell the hub its address (delayed tunnelling). It reads only the environment.</summary>
    internal const string ReportAddress =
        """
        import json, os, sys, time, urllib.request
        url = os.environ.get("JUPYTERHUB_SETUPTUNNEL_URL")
        if not url:
            sys.exit("outpost: JUPYTERHUB_SETUPTUNNEL_URL is not set, so the hub cannot learn this server's address")
        body = json.dumps({"service": os.environ["OUTPOST_SERVICE_ADDRESS"]}).encode()
        headers = {"Authorization": "token " + os.environ.get("JUPYTERHUB_API_TOKEN", ""), "Content-Type": "application/json"}
        for attempt in range(5):
            try:
                urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers, method="POST"), timeout=10).close()
                print("outpost: reported " + os.environ["OUTPOST_SERVICE_ADDRESS"] + " to the hub", file=sys.stderr)
                break
            except Exception as error:
                print("outpost: reporting the address to the hub failed: %s" % error, file=sys.stderr)
                time.sleep(3)
        """;

    private const string ReportDelimiter = "OUTPOST_REPORT_ADDRESS";

    /// <summary>
    /// Fixed lines run before the prologue. The variables they read are set by the scheduler
    /// (<paramref name="nodeVariable"/>) or by the Outpost as checked values (<c>OUTPOST_PORT</c>,
    /// <c>OUTPOST_BIND_ADDRESS</c>, <c>OUTPOST_SERVICE_HOST</c>).
    /// </summary>
    public static string Setup(string nodeVariable) =>
        $$"""
        # Where the server listens: its node (or the configured address) and the port the Outpost chose.
        OUTPOST_NODE="${{{nodeVariable}}:-$(hostname)}"
        export JUPYTERHUB_SERVICE_URL="${OUTPOST_SCHEME:-http}://${OUTPOST_BIND_ADDRESS:-$OUTPOST_NODE}:${OUTPOST_PORT}${JUPYTERHUB_SERVICE_PREFIX:-/}"
        export OUTPOST_SERVICE_ADDRESS="${OUTPOST_SERVICE_HOST:-$OUTPOST_NODE}:${OUTPOST_PORT}"
        """;

    /// <summary>
    /// Renders the script: <paramref name="directives"/> (the scheduler's lines, already checked) replace the
    /// placeholder <paramref name="directivesPlaceholder"/>. Throws <see cref="ArgumentException"/> for an unknown placeholder.
    /// </summary>
    public static string Render(JobScriptInput input, string directivesPlaceholder, string directives, string nodeVariable)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [directivesPlaceholder] = directives,
            ["setup"] = SetupLines(input, nodeVariable),
            ["prologue"] = input.Prologue.TrimEnd('\n'),
            ["command"] = string.Join(' ', input.Command.Select(Quote)),
            ["epilogue"] = input.Epilogue.TrimEnd('\n'),
        };
        var output = new StringBuilder();
        foreach (var line in input.Template.ReplaceLineEndings("\n").Split('\n'))
        {
            var whole = Placeholder().Match(line);
            if (whole.Success && whole.Value.Length == line.Trim().Length && Lookup(values, whole) is "")
            {
                continue;
            }
            output.Append(Placeholder().Replace(line, m => Lookup(values, m))).Append('\n');
        }
        return output.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>Whether <paramref name="template"/> uses the placeholder <paramref name="name"/>.</summary>
    public static bool Uses(string template, string name) =>
        Placeholder().Matches(template).Any(m => m.Groups[1].Value == name);

    /// <summary>Quotes one word for a POSIX shell: single quotes, with embedded quotes closed and escaped.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The variable names, each checked, for a directive that lists them.</summary>
    public static IReadOnlyList<string> CheckedNames(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (!BatchValues.IsEnvName(name))
            {
                throw new ArgumentException($"'{name}' is not a variable name", nameof(names));
            }
        }
        return names;
    }

    /// <summary>The path, if it can stand in a directive line unquoted.</summary>
    public static string CheckedPath(string value) =>
        BatchValues.IsSafePath(value) ? value : throw new ArgumentException($"'{value}' is not an absolute path without blanks, quotes or special characters");

    private static string Lookup(Dictionary<string, string> values, Match match) =>
        values.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new ArgumentException($"unknown placeholder {{{{{match.Groups[1].Value}}}}} in the batch script template");

    private static string SetupLines(JobScriptInput input, string nodeVariable)
    {
        var setup = input.InternalSsl ? $"{Setup(nodeVariable)}\n{SslSetup}" : Setup(nodeVariable);
        if (!input.DelayedTunnel)
        {
            return setup;
        }
        return $"""
            {setup}
            # Delayed tunnelling: tell the hub where this server will listen.
            {Quote(input.Python)} - <<'{ReportDelimiter}' || true
            {ReportAddress}
            {ReportDelimiter}
            """;
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
