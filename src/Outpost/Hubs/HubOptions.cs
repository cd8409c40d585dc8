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

    /// <summary>
    /// Constraints on values, per <c>misc</c> key (<c>Outpost:Hubs:&lt;name&gt;:Misc:&lt;key&gt;</c>). A key
    /// with a rule is allowed, and its value must satisfy the rule. Default none.
    /// </summary>
    public Dictionary<string, ValueRule> Misc { get; set; } = [];

    /// <summary>
    /// <c>user_options</c> keys this hub may send, or null for any. Keys the Outpost itself reads
    /// (start_id, flavor, profile) are always allowed. Default null.
    /// </summary>
    public string[]? AllowedUserOptions { get; set; }

    /// <summary>Constraints on values, per <c>user_options</c> key; a key with a rule is allowed. Default none.</summary>
    public Dictionary<string, ValueRule> UserOptions { get; set; } = [];

    /// <summary>Token for flavor usage updates when the hub's servers do not carry <c>JUPYTERHUB_FLAVORS_UPDATE_TOKEN</c>. Default none.</summary>
    public string? FlavorsUpdateToken { get; set; }

    /// <summary>Orphan cleanup against this hub; off by default.</summary>
    public HubCleanupOptions? Cleanup { get; set; }
}
