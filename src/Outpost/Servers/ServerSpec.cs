using System.Text.Json;

namespace Outpost.Servers;

/// <summary>
/// What a hub asked for when it started a server, after validation and the hub's policy were applied.
/// Immutable; stored encrypted, because <see cref="Env"/> holds the hub's API token for this server.
/// </summary>
public sealed record ServerSpec
{
    /// <summary>Server name as the hub sent it; empty for the user's default server.</summary>
    public required string Name { get; init; }

    /// <summary>The hub's start id (from <c>user_options.start_id</c>), "0" when absent.</summary>
    public required string StartId { get; init; }

    /// <summary>Environment for the server, filtered to the keys the hub may set.</summary>
    public required IReadOnlyDictionary<string, string> Env { get; init; }

    /// <summary>The user's options without <c>start_id</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> UserOptions { get; init; } = Empty;

    /// <summary>Backend setting overrides the hub's policy allowed.</summary>
    public IReadOnlyDictionary<string, JsonElement> Misc { get; init; } = Empty;

    /// <summary>internal_ssl material, when the hub runs with internal SSL.</summary>
    public ServerCerts? Certs { get; init; }

    /// <summary>Resolved flavor name, if any.</summary>
    public string? Flavor { get; init; }

    /// <summary>Profile name from <c>user_options.profile</c>, if any.</summary>
    public string? Profile { get; init; }

    /// <summary>
    /// The flavor's runtime limit, if it has one. Backends that can enforce a limit themselves do so
    /// (Slurm: the job's time limit); the Outpost stops the server at the end date either way.
    /// </summary>
    public TimeSpan? RuntimeLimit { get; init; }

    /// <summary>
    /// Where flavor usage updates go (the hub sent <c>JUPYTERHUB_FLAVORS_UPDATE_URL</c>). Kept out of
    /// <see cref="Env"/>, like the token, because they are for the Outpost, not for the server.
    /// </summary>
    public string? FlavorsUpdateUrl { get; init; }

    /// <summary>Token for flavor usage updates (<c>JUPYTERHUB_FLAVORS_UPDATE_TOKEN</c>); never given to a server.</summary>
    public string? FlavorsUpdateToken { get; init; }

    /// <summary>
    /// Where the Outpost announces an sshd restart to the hub (the hub sent <c>JUPYTERHUB_RECREATEFORWARD_URL</c>);
    /// kept out of <see cref="Env"/> because it is for the Outpost, not for the server.
    /// </summary>
    public string? RecreateForwardUrl { get; init; }

    /// <summary>The hub user's name (<c>JUPYTERHUB_USER</c>), empty when the hub did not send it.</summary>
    public string UserName => Env.GetValueOrDefault(HubEnv.User, "");

    /// <summary>The hub user's id (<c>JUPYTERHUB_USER_ID</c>), 0 when absent or not a number.</summary>
    public long UserId => long.TryParse(Env.GetValueOrDefault(HubEnv.UserId), out var id) ? id : 0;

    private static readonly IReadOnlyDictionary<string, JsonElement> Empty = new Dictionary<string, JsonElement>();
}

/// <summary>PEM texts for a server started with internal SSL (the wire's <c>certs</c> and <c>internal_trust_bundles</c>).</summary>
public sealed record ServerCerts(
    string KeyFile,
    string CertFile,
    string CaFile,
    IReadOnlyDictionary<string, string> TrustBundles);
