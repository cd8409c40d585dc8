namespace Outpost.Servers;

/// <summary>
/// Removes the values of a server's secret environment variables (its API token, OAuth secrets, passwords …) from
/// text taken from the server's own output, before that text is stored, logged or sent back to a hub: a server that
/// crashes at start often prints its environment or its configuration.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "[redacted]";

    /// <summary>Values shorter than this are not masked: they would turn every digit or word of the text into noise.</summary>
    private const int MinSecretLength = 6;

    private static readonly string[] SecretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE", "API_KEY", "ACCESS_KEY"];

    /// <summary>Whether a variable of this name holds a secret.</summary>
    public static bool IsSecret(string name) => SecretMarkers.Any(marker => name.Contains(marker, StringComparison.OrdinalIgnoreCase));

    public static string Redact(string text, IReadOnlyDictionary<string, string> env)
    {
        foreach (var (name, value) in env)
        {
            if (value.Length >= MinSecretLength && IsSecret(name) && text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }
        return text;
    }
}
