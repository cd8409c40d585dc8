using System.Text;
using Outpost.Storage;

namespace Outpost.Tests.Storage;

/// <summary><see cref="IEventOutbox"/> behaviour every provider must have (subclasses pick the provider).</summary>
public abstract class EventOutboxTests<TFixture> : StoreTests<TFixture>
    where TFixture : StoreFixture, new()
{
    private IEventOutbox Outbox => Db.Outbox;

    [Fact]
    public async Task AppendAsync_Events_ComeBackInOrderWithEveryField()
    {
        var first = await Outbox.AppendAsync(Event("s1", "one"));
        Db.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Outbox.AppendAsync(Event("s2", "two"));
        var third = await Outbox.AppendAsync(Event("s1", "three"));

        var pending = await StoredAsync();

        Assert.Equal([first, second, third], pending.Select(e => e.Id));
        Assert.Equal(["one", "two", "three"], pending.Select(e => e.Body));
        var e = pending[0];
        Assert.Equal(("hub1", "s1", "https://hub.example/events", "token-one"), (e.Hub, e.Server, e.Url, e.Token));
        Assert.Equal(0, e.Attempts);
        Assert.Equal(Db.Time.GetUtcNow().AddSeconds(-1), e.CreatedAt);
        Assert.Equal(e.CreatedAt, e.NextAttemptAt);
    }

    [Fact]
    public async Task RescheduleAsync_Event_StoresAttemptsAndNextTime()
    {
        var id = await Outbox.AppendAsync(Event("s1", "one"));
        var next = Db.Time.GetUtcNow().AddSeconds(30);

        await Outbox.RescheduleAsync(id, 3, next);

        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(3, stored.Attempts);
        Assert.Equal(next, stored.NextAttemptAt);
    }

    [Fact]
    public async Task DeleteAsync_Event_RemovesOnlyThatEvent()
    {
        var first = await Outbox.AppendAsync(Event("s1", "one"));
        var second = await Outbox.AppendAsync(Event("s1", "two"));

        await Outbox.DeleteAsync(first);

        Assert.Equal(second, Assert.Single(await StoredAsync()).Id);
        Assert.Equal(1, await Outbox.CountAsync());
    }

    [Fact]
    public async Task FinishAsync_Event_LeavesTheOutboxAndIsListedWithItsOutcome()
    {
        var first = await Outbox.AppendAsync(Event("s1", "one"));
        var second = await Outbox.AppendAsync(Event("s1", "two"));
        var third = await Outbox.AppendAsync(Event("s2", "three"));
        Db.Time.Advance(TimeSpan.FromSeconds(5));

        await Outbox.FinishAsync(first, 1, EventOutcomes.Delivered);
        await Outbox.FinishAsync(second, 4, EventOutcomes.Refused(403));
        await Outbox.FinishAsync(second, 5, EventOutcomes.Delivered); // already finished: logged once

        Assert.Equal([third], (await StoredAsync()).Select(e => e.Id));
        var all = await Outbox.ListAsync(new EventQuery(Hub: "hub1"));
        Assert.Equal([first, second, third], all.Events.Select(e => e.Id));
        Assert.Equal([EventOutcomes.Delivered, "refused (HTTP 403)", null], all.Events.Select(e => e.Outcome));
        Assert.Equal([1, 4, 0], all.Events.Select(e => e.Attempts));
        Assert.Equal(Db.Time.GetUtcNow(), all.Events[0].FinishedAt);
        Assert.Equal(Db.Time.GetUtcNow().AddSeconds(-5), all.Events[0].CreatedAt);
        Assert.Equal("one", all.Events[0].Body);
        Assert.Equal(1, all.Waiting);

        var undelivered = await Outbox.ListAsync(new EventQuery(Server: "s1", UndeliveredOnly: true));
        Assert.Equal([second], undelivered.Events.Select(e => e.Id));
        Assert.Equal(0, undelivered.Waiting);
        Assert.Empty((await Outbox.ListAsync(new EventQuery(Hub: "hub2"))).Events);
        Assert.Equal([second, third], (await Outbox.ListAsync(new EventQuery(Limit: 2))).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task PruneFinishedAsync_ForgetsOnlyWhatFinishedBefore()
    {
        var first = await Outbox.AppendAsync(Event("s1", "one"));
        var second = await Outbox.AppendAsync(Event("s1", "two"));
        await Outbox.FinishAsync(first, 1, EventOutcomes.Delivered);
        Db.Time.Advance(TimeSpan.FromHours(1));
        await Outbox.FinishAsync(second, 1, EventOutcomes.Delivered);

        Assert.Equal(1, await Outbox.PruneFinishedAsync(Db.Time.GetUtcNow().AddMinutes(-30)));

        Assert.Equal([second], (await Outbox.ListAsync(new EventQuery())).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task AppendAsync_Token_IsNotStoredInPlaintext()
    {
        await Outbox.AppendAsync(Event("s1", "body-marker-5e1d") with { Token = "event-token-c0ffee-secret" });

        var raw = await Db.RawBytesAsync();

        Assert.True(raw.AsSpan().IndexOf("body-marker-5e1d"u8) >= 0, "the test reads the wrong file: the body is missing");
        Assert.True(raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes("event-token-c0ffee-secret")) < 0);
    }

    [Fact]
    public async Task DueAsync_EventWaitingForRetry_HoldsBackOnlyTheLaterEventsOfItsServer()
    {
        var one = await Outbox.AppendAsync(Event("s1", "one"));
        await Outbox.AppendAsync(Event("s1", "two"));
        await Outbox.AppendAsync(Event("s2", "other"));
        var retry = Db.Time.GetUtcNow().AddSeconds(30);
        await Outbox.RescheduleAsync(one, 1, retry);
        await Outbox.AppendAsync(Event("s1", "three")); // appended while "one" waits: due, but must not overtake it

        Assert.Equal(["other"], (await Outbox.DueAsync(Db.Time.GetUtcNow(), 10)).Select(e => e.Body));
        Assert.Equal(retry, await Outbox.NextAttemptAfterAsync(Db.Time.GetUtcNow()));

        Db.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(["one", "two", "other", "three"], (await Outbox.DueAsync(Db.Time.GetUtcNow(), 10)).Select(e => e.Body));
        Assert.Null(await Outbox.NextAttemptAfterAsync(Db.Time.GetUtcNow()));
    }

    [Fact]
    public async Task DueAsync_Limit_ReturnsTheOldestDue()
    {
        var first = await Outbox.AppendAsync(Event("s1", "one"));
        await Outbox.AppendAsync(Event("s2", "two"));

        Assert.Equal(first, Assert.Single(await Outbox.DueAsync(Db.Time.GetUtcNow(), 1)).Id);
    }

    [Fact]
    public async Task RescheduleAsync_LaterEventsOfTheServer_AreHeldBackWithoutCountingAttempts()
    {
        await Outbox.AppendAsync(Event("s1", "zero"));
        var one = await Outbox.AppendAsync(Event("s1", "one"));
        await Outbox.AppendAsync(Event("s1", "two"));
        await Outbox.AppendAsync(Event("s2", "other"));
        var now = Db.Time.GetUtcNow();
        var retry = now.AddSeconds(30);

        await Outbox.RescheduleAsync(one, 2, retry);

        var stored = (await StoredAsync()).ToDictionary(e => e.Body);
        Assert.Equal((0, now), (stored["zero"].Attempts, stored["zero"].NextAttemptAt));
        Assert.Equal((2, retry), (stored["one"].Attempts, stored["one"].NextAttemptAt));
        Assert.Equal((0, retry), (stored["two"].Attempts, stored["two"].NextAttemptAt));
        Assert.Equal((0, now), (stored["other"].Attempts, stored["other"].NextAttemptAt));
    }

    /// <summary>Every event in the outbox, oldest first: all are due at a time far enough ahead.</summary>
    private Task<IReadOnlyList<OutboxEvent>> StoredAsync() => Outbox.DueAsync(Db.Time.GetUtcNow().AddYears(100), 100);

    private static OutboxEvent Event(string server, string body) => new()
    {
        Hub = "hub1",
        Server = server,
        Url = "https://hub.example/events",
        Token = "token-one",
        Body = body,
    };
}
