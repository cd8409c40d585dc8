using Microsoft.Data.Sqlite;
using Outpost.Storage;
using Outpost.Storage.Sqlite;

namespace Outpost.Tests.Storage.Sqlite;

public sealed class SqliteGroupCommitTests : StoreTests<SqliteStoreFixture>
{
    private readonly TaskCompletionSource _firstInside = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Name, SqliteTransaction Transaction)> _written = [];

    [Fact]
    public async Task WriteAsync_CallersArrivingDuringAWrite_ShareTheNextTransaction()
    {
        var commit = Blocking();
        var first = commit.WriteAsync("first", CancellationToken.None);
        await _firstInside.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var later = Enumerable.Range(0, 10).Select(i => commit.WriteAsync($"hub{i}", CancellationToken.None)).ToList();
        _releaseFirst.SetResult();
        var ids = await Task.WhenAll(later.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(11, ids.Distinct().Count());
        lock (_written)
        {
            Assert.Single(_written.Where(w => w.Name != "first").Select(w => w.Transaction).Distinct());
        }
        Assert.Equal(11, await CountHubsAsync());
    }

    [Fact]
    public async Task WriteAsync_OneFailingWriteInABatch_FailsOnlyThatCaller()
    {
        var commit = Blocking();
        var first = commit.WriteAsync("first", CancellationToken.None);
        await _firstInside.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var good1 = commit.WriteAsync("good1", CancellationToken.None);
        var bad = commit.WriteAsync("first", CancellationToken.None); // the same name again: a primary-key violation
        var good2 = commit.WriteAsync("good2", CancellationToken.None);
        _releaseFirst.SetResult();

        await Task.WhenAll(first, good1, good2).WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<SqliteException>(() => bad.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, await CountHubsAsync());
    }

    [Fact]
    public async Task WriteAsync_CallerCancelledBeforeItsBatch_IsNotWritten()
    {
        var commit = Blocking();
        var first = commit.WriteAsync("first", CancellationToken.None);
        await _firstInside.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var cancel = new CancellationTokenSource();
        var cancelled = commit.WriteAsync("cancelled", cancel.Token);
        await cancel.CancelAsync();
        _releaseFirst.SetResult();

        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, await CountHubsAsync());
    }

    [Fact]
    public async Task AppendAsync_ManyAtOnce_AllDurableWithTheirOwnIds()
    {
        var outbox = new SqliteEventOutbox(Db.Database, Db.Protector, Db.Time);

        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => outbox.AppendAsync(new OutboxEvent
        {
            Hub = "h", Server = $"h/s{i % 7}/1", Url = "http://hub/events", Token = "t", Body = $"{{\"n\":{i}}}",
        }))));

        Assert.Equal(200, ids.Distinct().Count());
        // A new outbox on the same file (as after a restart) finds every event.
        var reopened = new SqliteEventOutbox(new SqliteDatabase($"Data Source={Db.DatabaseFile}"), Db.Protector, Db.Time);
        var due = await reopened.DueAsync(Db.Time.GetUtcNow(), 1000);
        Assert.Equal(ids.Order(), due.Select(e => e.Id).Order());
    }

    /// <summary>Inserts a hub per item; the write named "first" waits inside its transaction until the test releases it.</summary>
    private SqliteGroupCommit<string, long> Blocking() => new(Db.Database, async (connection, transaction, name) =>
    {
        lock (_written)
        {
            _written.Add((name, transaction));
        }
        if (name == "first" && _firstInside.TrySetResult())
        {
            await _releaseFirst.Task;
        }
        return await connection.ExecuteScalarAsync<long>(
            "INSERT INTO hubs (name, password_hash, created_at) VALUES (@name, 'x', 'now') RETURNING rowid", [("@name", name)], transaction);
    });

    private async Task<long> CountHubsAsync()
    {
        await using var read = await Db.Database.OpenAsync();
        return await read.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM hubs");
    }
}
