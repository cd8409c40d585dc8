namespace Outpost.Checks;

/// <summary>
/// Whether a hub's URL (<c>check --hub URL</c>, e.g. its events URL) answers from here: the Outpost posts progress
/// events and flavor updates there. Any HTTP answer counts, because what matters is that the connection (DNS,
/// routes, firewalls, TLS) works; authentication is the hub's business.
/// </summary>
internal static class HubUrlCheck
{
    public static async Task<CheckLine> RunAsync(string url, CancellationToken cancellationToken)
    {
        var subject = $"Hub {url}";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return CheckLine.Fail(subject, "is not an http or https URL", "give the hub's URL, e.g. --hub https://hub.example/hub/api/");
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return CheckLine.Ok(subject, $"answers (HTTP {(int)response.StatusCode})");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            var why = ex is TaskCanceledException ? "no answer within 10 s" : StorageCheck.Reason(ex);
            return CheckLine.Fail(subject, $"does not answer: {why}",
                "check the URL, and DNS, routes, firewalls, proxies and TLS between this machine and the hub: progress events go there");
        }
    }
}
