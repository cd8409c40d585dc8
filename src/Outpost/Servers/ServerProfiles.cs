using Microsoft.Extensions.Options;
using Outpost.Backends;

namespace Outpost.Servers;

/// <summary>Options bound to <c>Outpost:Profiles:&lt;name&gt;</c>: a profile picks the backend a server runs on.</summary>
public sealed class ProfileOptions
{
    /// <summary>Name of a configured backend. Required.</summary>
    public string Backend { get; set; } = "";
}

/// <summary>Maps <c>user_options.profile</c> to a backend; no profile means the default backend.</summary>
public sealed class ServerProfiles(IOptions<Dictionary<string, ProfileOptions>> profiles)
{
    public IBackend SelectBackend(ServerSpec spec, BackendCatalog backends)
    {
        if (spec.Profile is null)
        {
            return backends.Default;
        }
        if (profiles.Value.TryGetValue(spec.Profile, out var profile))
        {
            return backends.Get(profile.Backend);
        }
        // Backends may define presets of their own with the same name; the default backend resolves those.
        return backends.Default;
    }
}
