using Outpost.Servers;

namespace Outpost.Announcements;

/// <summary>
/// Decides whom an sshd restart is announced to: every hub with a running server whose start request carried
/// <c>JUPYTERHUB_RECREATEFORWARD_URL</c>, once per hub and URL (a hub normally declares an Outpost as one
/// system, so that is once per hub). The announcement carries the API token of the hub's most recently started
/// running server of that URL: the hub already trusts it, so no extra credential has to be configured.
/// </summary>
public static class SshdAnnouncementPlan
{
    public static IReadOnlyList<SshdAnnouncement> For(IEnumerable<(ServerRecord Record, ServerSpec Spec)> servers)
    {
        var chosen = new Dictionary<(string Hub, string Url), (DateTimeOffset Started, string Token)>();
        foreach (var (record, spec) in servers)
        {
            if (record.Phase != ServerPhase.Running || !IsHubUrl(spec.RecreateForwardUrl)
                || spec.Env.GetValueOrDefault(HubEnv.ApiToken) is not { Length: > 0 } token)
            {
                continue;
            }
            var key = (record.Key.Hub, spec.RecreateForwardUrl!);
            if (!chosen.TryGetValue(key, out var current) || record.StartDate > current.Started)
            {
                chosen[key] = (record.StartDate, token);
            }
        }
        return [.. chosen
            .OrderBy(c => c.Key.Hub, StringComparer.Ordinal).ThenBy(c => c.Key.Url, StringComparer.Ordinal)
            .Select(c => new SshdAnnouncement(c.Key.Hub, c.Key.Url, c.Value.Token))];
    }

    /// <summary>Only absolute http(s) URLs: anything else the hub sent is not a place to post a token to.</summary>
    internal static bool IsHubUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.IsNullOrEmpty(uri.UserInfo);
}
