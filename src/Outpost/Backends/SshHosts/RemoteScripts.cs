using System.Globalization;
using System.Text;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// The POSIX shell scripts the Outpost runs on a remote host. A script travels on ssh's standard input to
/// <c>/bin/sh -s</c> (see <see cref="Login"/>), so the remote login shell only ever sees constant text, and secrets
/// (the hub's token, certificates) never appear in any process's argument list. Inside a script every value that did
/// not come from this file is a single-quoted word (<see cref="PosixShell.Quote"/>) and every number is formatted here.
/// </summary>
public static class RemoteScripts
{
    /// <summary>Reads field 22 of /proc/PID/stat (start time in clock ticks); the name in field 2 may hold spaces and ')'.</summary>
    private const string TicksFunction = """
        ticks_of() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*") "}; set -- $s; echo "${20}"; }
        """;

    /// <summary>
    /// Runs as the server's session leader: records its pid and start time, runs the server, then records its exit code.
    /// Arguments: the server folder, then the command. Constant text, passed as one quoted word.
    /// </summary>
    private const string Wrapper = """
        d=$1; shift; echo "$$ $(s=$(cat /proc/$$/stat); s=${s##*") "}; set -- $s; echo "${20}")" > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"; cd "$HOME" 2>/dev/null || cd /; "$@"; echo "$?" > "$d/exit.tmp"; mv "$d/exit.tmp" "$d/exit"
        """;

    /// <summary>
    /// The command given to ssh: the remote login shell replaces itself with a POSIX shell that has an empty environment
    /// but for the login's HOME, USER, LOGNAME and SHELL and the configured PATH, and that reads the script from stdin.
    /// </summary>
    public static string Login(string path) =>
        $"exec env -i HOME=\"$HOME\" USER=\"$USER\" LOGNAME=\"$LOGNAME\" SHELL=\"$SHELL\" LANG=C.UTF-8 PATH={PosixShell.Quote(path)} /bin/sh -s";

    /// <summary>Shell expression of the per-server folder: under the home unless <paramref name="remoteDirectory"/> is absolute.</summary>
    public static string ServerDirectory(string remoteDirectory, string resourceName) =>
        Under(remoteDirectory, resourceName);

    /// <summary>Shell expression of the folder holding all server folders.</summary>
    public static string BaseDirectory(string remoteDirectory) => Under(remoteDirectory, null);

    private static string Under(string remoteDirectory, string? child)
    {
        var relative = remoteDirectory.TrimEnd('/');
        var path = child is null ? relative : $"{relative}/{child}";
        return remoteDirectory.StartsWith('/') ? PosixShell.Quote(path.Length == 0 ? "/" : path) : $"\"$HOME\"/{PosixShell.Quote(path)}";
    }

    /// <summary>
    /// Creates the server folder (0700), writes the certificates, picks a port among <see cref="RemoteStart.PortCandidates"/>
    /// that nothing listens on, exports the environment and starts the wrapper with <c>setsid</c>. Prints
    /// <c>started PID TICKS PORT</c> on success; exits non-zero with a message on stderr otherwise.
    /// </summary>
    public static string Start(RemoteStart input)
    {
        var script = new StringBuilder();
        script.AppendLine("set -u");
        script.AppendLine("umask 077");
        script.AppendLine(TicksFunction);
        script.AppendLine($"base={BaseDirectory(input.RemoteDirectory)}");
        script.AppendLine($"d={ServerDirectory(input.RemoteDirectory, input.ResourceName)}");
        script.AppendLine("mkdir -p -- \"$base\" || { echo \"outpost: cannot create $base\" >&2; exit 3; }");
        script.AppendLine("mkdir -- \"$d\" || { echo \"outpost: cannot create the server folder $d\" >&2; exit 3; }");
        script.AppendLine("cd -- \"$d\" || exit 3");
        foreach (var (name, content) in input.Files)
        {
            // printf is a shell builtin: the content is never in an argument list; umask 077 makes the file 0600.
            var folder = Path.GetDirectoryName(name);
            if (!string.IsNullOrEmpty(folder))
            {
                script.AppendLine($"mkdir -p -- {PosixShell.Quote(folder)} || exit 3");
            }
            script.AppendLine($"printf '%s' {PosixShell.Quote(content)} > {PosixShell.Quote(name)} || exit 3");
        }
        script.AppendLine("used=\" $(awk 'FNR > 1 && $4 == \"0A\" { n = split($2, a, \":\"); print a[n] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | tr '\\n' ' ') \"");
        script.AppendLine("port=");
        script.Append("for p in");
        foreach (var candidate in input.PortCandidates)
        {
            script.Append(' ').Append(candidate.ToString(CultureInfo.InvariantCulture));
        }
        script.AppendLine("; do");
        script.AppendLine("  h=$(printf '%04X' \"$p\")");
        script.AppendLine("  case \"$used\" in *\" $h \"*) ;; *) port=$p; break ;; esac");
        script.AppendLine("done");
        script.AppendLine("[ -n \"$port\" ] || { echo 'outpost: no free port among the candidates' >&2; exit 4; }");
        foreach (var (name, value) in input.Environment)
        {
            if (!PosixShell.IsVariableName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid environment variable name.");
            }
            script.AppendLine($"{name}={PosixShell.Quote(value)}; export {name}");
        }
        foreach (var (name, file) in input.FileEnvironment)
        {
            if (!PosixShell.IsVariableName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid environment variable name.");
            }
            script.AppendLine($"{name}=\"$d\"/{PosixShell.Quote(file)}; export {name}");
        }
        var url = input.ServiceUrl;
        script.AppendLine($"JUPYTERHUB_SERVICE_URL={PosixShell.Quote(url.Scheme + "://" + url.Host + ":")}\"$port\"{PosixShell.Quote(url.Path)}; export JUPYTERHUB_SERVICE_URL");
        script.Append("setsid /bin/sh -c ").Append(PosixShell.Quote(Wrapper)).Append(" outpost-server \"$d\"");
        foreach (var word in input.Command)
        {
            script.Append(' ').Append(PosixShell.Quote(word));
        }
        script.AppendLine(" < /dev/null >> \"$d/output.log\" 2>&1 &");
        script.AppendLine("i=0");
        script.AppendLine("while [ ! -s \"$d/pid\" ]; do i=$((i + 1)); [ \"$i\" -le 400 ] || { echo 'outpost: the server process did not start' >&2; exit 5; }; sleep 0.05; done");
        script.AppendLine("read pid ticks < \"$d/pid\"");
        script.AppendLine("echo \"started $pid $ticks $port\"");
        return script.ToString();
    }

    /// <summary>
    /// Looks at a server: prints <c>gone</c> (no folder), <c>starting</c> (no pid yet), <c>exited CODE</c>,
    /// <c>dead</c> (not running, no exit code: killed, or the pid now belongs to another process) or
    /// <c>running PID TICKS LISTENING</c> (LISTENING is 1 when something listens on <paramref name="port"/>).
    /// </summary>
    public static string Probe(string directory, int pid, long ticks, int port)
    {
        var script = new StringBuilder();
        script.AppendLine(TicksFunction);
        script.AppendLine($"d={directory}");
        script.AppendLine("cd -- \"$d\" 2>/dev/null || { echo gone; exit 0; }");
        script.AppendLine("if [ -s exit ]; then read code < exit; echo \"exited $code\"; exit 0; fi");
        AppendPid(script, pid, ticks, missing: "echo starting; exit 0");
        script.AppendLine("[ \"$(ticks_of \"$pid\")\" = \"$ticks\" ] || { echo dead; exit 0; }");
        script.AppendLine($"hex=$(printf '%04X' {port.ToString(CultureInfo.InvariantCulture)})");
        script.AppendLine("if awk -v h=\"$hex\" 'FNR > 1 && $4 == \"0A\" { n = split($2, a, \":\"); if (a[n] == h) f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null; then l=1; else l=0; fi");
        script.AppendLine("echo \"running $pid $ticks $l\"");
        return script.ToString();
    }

    /// <summary>
    /// Stops a server: SIGTERM to its process group, SIGKILL after <paramref name="graceSeconds"/>, only when the
    /// group leader is still the process that was started (same start time); then removes the server folder.
    /// (dash's kill takes no "--": the negative pid follows the signal directly.)
    /// A stop that races a start waits a little for the pid to appear. Prints <c>stopped</c>.
    /// </summary>
    public static string Stop(string directory, int pid, long ticks, int graceSeconds)
    {
        var script = new StringBuilder();
        script.AppendLine(TicksFunction);
        script.AppendLine($"d={directory}");
        script.AppendLine("if cd -- \"$d\" 2>/dev/null; then");
        script.AppendLine("  i=0; while [ ! -s pid ] && [ ! -s exit ] && [ \"$i\" -lt 100 ]; do i=$((i + 1)); sleep 0.05; done");
        AppendPid(script, pid, ticks, missing: "pid=");
        script.AppendLine("  case \"$pid\" in '' | *[!0-9]*) pid= ;; esac");
        script.AppendLine("  if [ -n \"$pid\" ] && [ \"$(ticks_of \"$pid\")\" = \"$ticks\" ]; then");
        script.AppendLine("    kill -TERM \"-$pid\" 2>/dev/null");
        script.AppendLine($"    i=0; while kill -0 \"-$pid\" 2>/dev/null && [ \"$i\" -lt {(graceSeconds * 10).ToString(CultureInfo.InvariantCulture)} ]; do i=$((i + 1)); sleep 0.1; done");
        script.AppendLine("    kill -KILL \"-$pid\" 2>/dev/null");
        script.AppendLine("    i=0; while kill -0 \"-$pid\" 2>/dev/null && [ \"$i\" -lt 100 ]; do i=$((i + 1)); sleep 0.1; done");
        script.AppendLine("  fi");
        script.AppendLine("  cd / && rm -rf -- \"$d\"");
        script.AppendLine("fi");
        script.AppendLine("echo stopped");
        return script.ToString();
    }

    /// <summary>The last <paramref name="lines"/> lines of the server's output.</summary>
    public static string Tail(string directory, int lines) =>
        $"d={directory}\n[ -f \"$d/output.log\" ] && tail -n {lines.ToString(CultureInfo.InvariantCulture)} -- \"$d/output.log\"\nexit 0\n";

    /// <summary>Sets pid and ticks from the handle when it has them, else from the pid file the wrapper wrote.</summary>
    private static void AppendPid(StringBuilder script, int pid, long ticks, string missing)
    {
        if (pid > 0 && ticks > 0)
        {
            script.AppendLine($"pid={pid.ToString(CultureInfo.InvariantCulture)}; ticks={ticks.ToString(CultureInfo.InvariantCulture)}");
        }
        else
        {
            script.AppendLine($"if [ -s pid ]; then read pid ticks < pid; else {missing}; fi");
        }
    }
}
