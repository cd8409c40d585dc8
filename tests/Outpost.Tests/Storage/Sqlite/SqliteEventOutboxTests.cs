using System.Text;
using Outpost.Storage;
using Outpost.Storage.Sqlite;

namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteEventOutboxTests : IAsyncLifetime, IDisposable
{
    private readonly SqliteStoreFixture _db = new();
    private readonly SqliteEventOutbox _outbox;

    public SqliteEventOutboxTests()
    {
        _outbox = new SqliteEventOutbox(_db.Database, _db.Protector, _db.Time);
    }

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task PendingAsync_AppendedEvents_ComeBackInOrderWithEveryField()
    {
        var first = await _outbox.AppendAsync(Event("s1", "one"));
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await _outbox.AppendAsync(Event("s2", "two"));
        var third = await _outbox.AppendAsync(Event("s1", "three"));

        var pending = await _outbox.PendingAsync(10);

        Assert.Equal([first, second, third], pending.Select(e => e.Id));
        Assert.Equal(["one", "two", "three"], pending.Select(e => e.Body));
        var e = pending[0];
        Assert.Equal(("hub1", "s1", "https://hub.example/events", "token-one"), (e.Hub, e.Server, e.Url, e.Token));
        Assert.Equal(0, e.Attempts);
        Assert.Equal(_db.Time.GetUtcNow().AddSeconds(-1), e.CreatedAt);
        Assert.Equal(e.CreatedAt, e.NextAttemptAt);
    }

    [Fact]
    public async Task PendingAsync_Limit_ReturnsTheOldest()
    {
        var first = await _outbox.AppendAsync(Event("s1", "one"));
        await _outbox.AppendAsync(Event("s1", "two"));

        var pending = await _outbox.PendingAsync(1);

        Assert.Equal(first, Assert.Single(pending).Id);
    }

    [Fact]
    public async Task RescheduleAsync_Event_StoresAttemptsAndNextTime()
    {
        var id = await _outbox.AppendAsync(Event("s1", "one"));
        var next = _db.Time.GetUtcNow().AddSeconds(30);

        await _outbox.RescheduleAsync(id, 3, next);

        var stored = Assert.Single(await _outbox.PendingAsync(10));
        Assert.Equal(3, stored.Attempts);
        Assert.Equal(next, stored.NextAttemptAt);
    }

    [Fact]
    public async Task DeleteAsync_Event_RemovesOnlyThatEvent()
    {
        var first = await _outbox.AppendAsync(Event("s1", "one"));
        var second = await _outbox.AppendAsync(Event("s1", "two"));

        await _outbox.DeleteAsync(first);

        Assert.Equal(second, Assert.Single(await _outbox.PendingAsync(10)).Id);
        Assert.Equal(1, await _outbox.CountAsync());
    }

    [Fact]
    public async Task AppendAsync_Token_IsNotStoredInPlaintext()
    {
        await _outbox.AppendAsync(Event("s1", "body-marker-5e1d") with { Token = "event-token-c0ffee-secret" });

        var raw = _db.RawBytes();

        Assert.True(raw.AsSpan().IndexOf("body-marker-5e1d"u8) >= 0, "the test reads the wrong file: the body is missing");
        Assert.True(raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes("event-token-c0ffee-secret")) < 0);
    }

    private static OutboxEvent Event(string server, string body) => new()
    {
        Hub = "hub1",
        Server = server,
        Url = "https://hub.example/events",
        Token = "token-one",
        Body = body,
    };
}
