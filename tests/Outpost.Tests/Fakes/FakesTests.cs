using System.Net;
using Outpost.Storage;

namespace Outpost.Tests.Fakes;

/// <summary>The fakes are code too: a couple of checks that they behave like what they stand in for.</summary>
public sealed class FakesTests
{
    [Fact]
    public async Task InMemoryEventOutbox_Operations_BehaveLikeTheSqliteOne()
    {
        var time = new FakeTimeProvider();
        var outbox = new InMemoryEventOutbox(time);
        var first = await outbox.AppendAsync(new OutboxEvent { Hub = "h", Server = "s", Url = "u", Token = "t", Body = "1", Attempts = 9 });
        var second = await outbox.AppendAsync(new OutboxEvent { Hub = "h", Server = "s", Url = "u", Token = "t", Body = "2" });

        await outbox.RescheduleAsync(second, 2, time.GetUtcNow().AddSeconds(1));
        await outbox.DeleteAsync(first);

        var pending = Assert.Single(await outbox.DueAsync(time.GetUtcNow().AddYears(100), 10));
        Assert.Equal((second, 2, time.GetUtcNow().AddSeconds(1), time.GetUtcNow()), (pending.Id, pending.Attempts, pending.NextAttemptAt, pending.CreatedAt));
        Assert.Equal(1, await outbox.CountAsync());
    }

    [Fact]
    public async Task RecordingHttpClientFactory_Request_IsRecordedAndAnsweredAsScripted()
    {
        var factory = new RecordingHttpClientFactory { Respond = _ => HttpStatusCode.Conflict };
        using var client = factory.CreateClient("named");
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://hub.test/x") { Content = new StringContent("body") };
        request.Headers.TryAddWithoutValidation("Authorization", "token abc");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var recorded = Assert.Single(factory.Requests);
        Assert.Equal((HttpMethod.Post, "http://hub.test/x", "token abc", "body"), (recorded.Method, recorded.Url!.ToString(), recorded.Authorization, recorded.Body));
        Assert.Equal(["named"], factory.ClientNames);
    }

    [Fact]
    public async Task InMemoryHubStore_SetThenFind_ReturnsTheHash()
    {
        var store = new InMemoryHubStore();
        await store.SetPasswordHashAsync("hub1", "hash");

        Assert.Equal("hash", await store.FindPasswordHashAsync("hub1"));
        Assert.Null(await store.FindPasswordHashAsync("hub2"));
        Assert.Equal(["hub1"], await store.ListAsync());
    }

    [Fact]
    public void RecordingLogger_Log_KeepsLevelIdAndFormattedMessage()
    {
        var logger = new RecordingLogger<FakesTests>();

        logger.Log(Microsoft.Extensions.Logging.LogLevel.Warning, new Microsoft.Extensions.Logging.EventId(7), "state", null, (s, _) => $"msg {s}");

        Assert.Equal((Microsoft.Extensions.Logging.LogLevel.Warning, 7, "msg state"), Assert.Single(logger.Entries));
        Assert.Equal("msg state", logger.AllText);
    }
}
