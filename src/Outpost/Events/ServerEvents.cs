using System.Text.Json;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Events;

/// <summary>
/// Records a server's progress events: appended to the durable outbox first, then the relay is woken.
/// Servers whose start request carried no events URL or API token get no events.
/// </summary>
public sealed class ServerEvents(IEventOutbox outbox, HubEventRelay relay)
{
    public async ValueTask RecordAsync(ServerKey key, ServerSpec spec, ProgressEvent progressEvent, CancellationToken cancellationToken = default)
    {
        var url = spec.Env.GetValueOrDefault(HubEnv.EventsUrl);
        var token = spec.Env.GetValueOrDefault(HubEnv.ApiToken);
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(token))
        {
            return;
        }
        await outbox.AppendAsync(new OutboxEvent
        {
            Hub = key.Hub,
            Server = key.ToString(),
            Url = url,
            Token = token,
            Body = JsonSerializer.Serialize(progressEvent),
        }, cancellationToken);
        relay.Wake();
    }
}
