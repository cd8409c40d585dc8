using System.Text;
using System.Text.RegularExpressions;

namespace Outpost.Backends.SshHosts;

/// <summary>
/// Quoting for the POSIX shell on a remote host. Every value is written inside single quotes, where a POSIX shell
/// gives no character a meaning; a single quote inside the value ends the quoting, adds an escaped quote and
/// starts it again (<c>'</c> becomes <c>'\''</c>). Newlines, <c>$()</c>, backticks and <c>;</c> stay plain text.
/// </summary>
public static partial class PosixShell
{
    /// <summary>The value as one shell word, taken literally.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            // No shell word can hold NUL; refusing is safer than letting the remote shell cut the value short.
            throw new ArgumentException("a value for the remote shell contains a NUL character", nameof(value));
        }
        var quoted = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            if (c == '\'')
            {
                quoted.Append("'\\''");
            }
            else
            {
                quoted.Append(c);
            }
        }
        return quoted.Append('\'').ToString();
    }

    /// <summary>Whether a name can be a shell variable (and so an environment variable the remote shell exports).</summary>
    public static bool IsVariableName(string name) => VariableName().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex VariableName();
}
