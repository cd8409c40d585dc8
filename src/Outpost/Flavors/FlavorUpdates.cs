using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Hubs;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Flavors;

/// <summary>
/// Tells a hub its current flavor usage whenever it changes, at the <c>JUPYTERHUB_FLAVORS_UPDATE_URL</c>
/// its servers carry. Updates go through the durable outbox, in order per hub, like progress events.
/// </summary>
public sealed class FlavorUpdates(FlavorUsage usage, FlavorCatalog catalog, IEventOutbox outbox, OutboxRelay relay, IOptions<HubsOptions> hubs)
{
    public async Task NotifyAsync(string hub, ServerSpec spec, CancellationToken cancellationToken = default)
    {
        var url = spec.FlavorsUpdateUrl;
        var token = spec.FlavorsUpdateToken ?? hubs.Value.Hubs.GetValueOrDefault(hub)?.FlavorsUpdateToken;
        if (!catalog.Current.IsConfigured || string.IsNullOrEmpty(url) || string.IsNullOrEmpty(token))
        {
            return;
        }
        var body = await usage.ForHubAsync(hub, cancellationToken);
        await outbox.AppendAsync(new OutboxEvent
        {
            Hub = hub,
            Server = $"flavors/{hub}/{url}",
            Url = url,
            Token = token,
            Body = body.ToJsonString(),
        }, cancellationToken);
        relay.Wake();
    }
}
