using System.Text.Json;
using Outpost.Servers;
using Outpost.Storage;

namespace Outpost.Events;

/// <summary>
/// Records a server's progress events: appended to the durable outbox first, then the relay is woken.
/// Servers whose start request carried no events URL or API token get no events.
/// </summary>
public sealed class ServerEvents(IEventOutbox outbox, OutboxRelay relay)
{
    /// <summary>Stores the event and wakes the relay; returns its outbox id (null when this server gets no events).</summary>
    public async ValueTask<long?> RecordAsync(ServerKey key, ServerSpec spec, ProgressEvent progressEvent, CancellationToken cancellationToken = default)
    {
        var url = spec.Env.GetValueOrDefault(HubEnv.EventsUrl);
        var token = spec.Env.GetValueOrDefault(HubEnv.ApiToken);
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(token))
        {
            return null;
        }
        var id = await outbox.AppendAsync(new OutboxEvent
        {
            Hub = key.Hub,
            Server = key.ToString(),
            Url = url,
            Token = token,
            Body = Body(progressEvent, Guid.CreateVersion7()),
        }, cancellationToken);
        relay.Wake(key.ToString(), url);
        return id;
    }

    /// <summary>Keeps the server's events back while its start runs (see <see cref="OutboxRelay.GatherStartEvents"/>).</summary>
    public IDisposable GatherStart(ServerKey key) => relay.GatherStartEvents(key.ToString());

    /// <summary>
    /// Waits until the event <paramref name="id"/> has left the outbox (delivered, refused or dropped), at most
    /// <paramref name="limit"/>; the events of one server go in order, so its earlier events have gone too.
    /// </summary>
    public Task WaitDeliveredAsync(long? id, TimeSpan limit) => id is { } value ? relay.WaitDeliveredAsync(value, limit) : Task.CompletedTask;

    /// <summary>
    /// The JSON the hub receives: the event plus an <c>id</c>. The id is stored with the body, so it stays
    /// the same when the relay sends the event again (delivery is at least once: an answer can be lost,
    /// and a leader's term can end while a delivery is in flight); the hub drops an id it already has.
    /// </summary>
    internal static string Body(ProgressEvent progressEvent, Guid id)
    {
        var body = JsonSerializer.SerializeToNode(progressEvent, EventsJsonContext.Default.ProgressEvent)!.AsObject();
        body["id"] = id.ToString();
        return body.ToJsonString();
    }
}
