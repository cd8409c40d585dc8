namespace Outpost.Hubs;

/// <summary>One hub this Outpost serves, bound to <c>Outpost:Hubs:&lt;name&gt;</c>; the key is the Basic-auth user name.</summary>
public sealed class HubOptions
{
    /// <summary>The hub's password in clear text (from a secret or the environment). Set this or <see cref="PasswordHash"/>.</summary>
    public string? Password { get; set; }

    /// <summary>A hash made by <c>outpost hub hash-password</c> (PBKDF2-SHA256). Set this or <see cref="Password"/>.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>
    /// Environment keys beyond <c>JUPYTERHUB_*</c>/<c>JUPYTER_*</c> that this hub may pass to servers.
    /// Default none. Keys that change how programs load or run (PATH, LD_*, PYTHON*) are never accepted.
    /// </summary>
    public string[] AllowedEnv { get; set; } = [];

    /// <summary>
    /// <c>misc</c> keys this hub may set, or null for the keys the outpostspawner sends by default
    /// (see <see cref="Servers.MiscPolicy.DefaultKeys"/>). Anything else is refused with a 419 naming the key.
    /// </summary>
    public string[]? AllowedMisc { get; set; }
}
