using System.Text.RegularExpressions;

namespace Outpost.Backends.SshHosts;

/// <summary>Turns the account rule (a fixed name or a template with <c>{username}</c>) into a remote user name.</summary>
public static partial class RemoteAccount
{
    public const string UserNamePlaceholder = "{username}";

    /// <summary>The remote account for a hub user; throws <see cref="BackendException"/> when it would not be a safe POSIX user name.</summary>
    public static string For(string rule, string hubUser)
    {
        var name = rule.Replace(UserNamePlaceholder, hubUser, StringComparison.Ordinal);
        return IsSafeUserName(name)
            ? name
            : throw new BackendException(
                $"The remote account for hub user '{Printable(hubUser)}' would be '{Printable(name)}', which is not a safe POSIX user name "
                + "(lower-case letters, digits, '_' and '-', starting with a letter or '_', at most 32 characters).");
    }

    /// <summary>Lower-case letters, digits, '_' and '-', starting with a letter or '_', 1 to 32 characters.</summary>
    public static bool IsSafeUserName(string name) => SafeUserName().IsMatch(name);

    /// <summary>Whether a rule can give safe names: its fixed text, with the placeholder taken out, uses only allowed characters.</summary>
    public static bool IsValidRule(string rule)
    {
        if (string.IsNullOrEmpty(rule))
        {
            return false;
        }
        var withSample = rule.Replace(UserNamePlaceholder, "a", StringComparison.Ordinal);
        return IsSafeUserName(withSample);
    }

    private static string Printable(string text)
    {
        var shown = new string([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 64 ? shown + "…" : shown;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}\\z")]
    private static partial Regex SafeUserName();
}
