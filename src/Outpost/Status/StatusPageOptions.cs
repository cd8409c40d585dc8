namespace Outpost.Status;

/// <summary>
/// The read-only status page at <c>/status</c>, bound to <c>Outpost:StatusPage</c>. Off (404) until
/// <see cref="PasswordHash"/> is set. Its credential is its own: hub credentials never open it, and it opens no hub route.
/// </summary>
public sealed class StatusPageOptions
{
    /// <summary>
    /// The admin password as a <c>pbkdf2-sha256$…</c> hash, as <c>outpost hub hash-password</c> prints it.
    /// Default none: the page is not served.
    /// </summary>
    public string? PasswordHash { get; set; }

    /// <summary>The user name to give with that password (HTTP Basic). Default <c>admin</c>; must not be a configured hub's name.</summary>
    public string UserName { get; set; } = "admin";

    /// <summary>How many failed servers the page lists, newest first. Default 20.</summary>
    public int RecentFailures { get; set; } = 20;

    /// <summary>How many servers the page lists one by one (counts always include all). Default 500.</summary>
    public int MaxServersListed { get; set; } = 500;

    public bool IsEnabled => !string.IsNullOrEmpty(PasswordHash);
}
