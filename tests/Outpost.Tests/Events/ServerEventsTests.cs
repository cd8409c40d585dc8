using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Events;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Events;

public sealed class ServerEventsTests
{
    private static readonly Guid Id = Guid.Parse("0195f3c1-7a2b-7c3d-8e4f-0123456789ab");

    [Fact]
    public void Body_IsTheEventInTheHubsShape_PlusAnId()
    {
        Assert.Equal(
            """{"progress":30,"message":"Starting","id":"0195f3c1-7a2b-7c3d-8e4f-0123456789ab"}""",
            ServerEvents.Body(new ProgressEvent(30, "Starting"), Id));
    }

    [Fact]
    public void Body_KeepsTheEventsOwnSerializationByteForByte()
    {
        var failed = new ProgressEvent(100, "No <way>", "<details><summary>No</summary></details>", Failed: true);
        var before = JsonSerializer.Serialize(failed); // what hubs received before events had ids

        Assert.Equal(before[..^1] + ""","id":"0195f3c1-7a2b-7c3d-8e4f-0123456789ab"}""", ServerEvents.Body(failed, Id));
    }

    [Fact]
    public async Task RecordAsync_EachEventGetsItsOwnId_AndASecondSendingCarriesTheSameOne()
    {
        var time = new FakeTimeProvider();
        var outbox = new InMemoryEventOutbox(time);
        var http = new RecordingHttpClientFactory();
        var relay = new OutboxRelay(outbox, http, Options.Create(new EventsOptions()), new OutpostMetrics(),
            new SingleReplica(new ReplicaIdentity("test")), time, NullLogger<OutboxRelay>.Instance);
        var events = new ServerEvents(outbox, relay);
        var spec = new ServerSpec
        {
            Name = "s",
            StartId = "1",
            Env = new Dictionary<string, string> { [HubEnv.EventsUrl] = "https://hub.example/events/s", [HubEnv.ApiToken] = "tok" },
        };
        await events.RecordAsync(new ServerKey("hub1", "s", "1"), spec, new ProgressEvent(30, "one"));
        await events.RecordAsync(new ServerKey("hub1", "s", "1"), spec, new ProgressEvent(50, "two"));
        http.Respond = r => r.Body.Contains("\"one\"", StringComparison.Ordinal) && http.Requests.Count == 1 ? HttpStatusCode.BadGateway : HttpStatusCode.OK;

        await relay.DeliverDueAsync(CancellationToken.None); // the first attempt fails
        time.Advance(TimeSpan.FromMinutes(1));
        await relay.DeliverDueAsync(CancellationToken.None);

        var sent = http.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["one", "one", "two"], sent.Select(e => e.GetProperty("message").GetString()));
        var ids = sent.Select(e => Guid.Parse(e.GetProperty("id").GetString()!)).ToList();
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
    }
}
