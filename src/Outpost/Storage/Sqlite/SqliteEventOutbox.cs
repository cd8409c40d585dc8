using System.Data.Common;

namespace Outpost.Storage.Sqlite;

/// <summary>
/// <see cref="IEventOutbox"/> over SQLite; tokens are encrypted. Appends and finishes, the writes every progress event
/// makes twice, are group-committed (<see cref="SqliteGroupCommit{TItem, TResult}"/>): with many starts reporting at
/// once they share transactions instead of queueing one by one for SQLite's single writer.
/// </summary>
public sealed class SqliteEventOutbox(SqliteDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    private readonly SqliteGroupCommit<(string Hub, string Server, string Url, byte[] Token, string Body, string Now), long> _appends =
        new(database, (connection, transaction, e) => connection.ExecuteScalarAsync<long>(
            OutboxSql.Insert,
            [("@Hub", e.Hub), ("@Server", e.Server), ("@Url", e.Url), ("@Token", e.Token), ("@Body", e.Body), ("@Now", e.Now)],
            transaction));

    private readonly SqliteGroupCommit<(long Id, int Attempts, string Outcome, string Now), bool> _finishes =
        new(database, async (connection, transaction, f) =>
        {
            await connection.ExecuteAsync(OutboxSql.Finish, [("@id", f.Id), ("@attempts", f.Attempts), ("@outcome", f.Outcome), ("@now", f.Now)], transaction);
            return true;
        });

    public Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default) =>
        _appends.WriteAsync(
            (outboxEvent.Hub, outboxEvent.Server, outboxEvent.Url, protector.Protect(outboxEvent.Token), outboxEvent.Body, SqliteDialect.Format(time.GetUtcNow())),
            cancellationToken);

    public Task<IReadOnlyList<OutboxEvent>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(OutboxSql.Due, [("@now", SqliteDialect.Format(now)), ("@limit", limit)], cancellationToken);

    public async Task<DateTimeOffset?> NextAttemptAfterAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<string?>(
            OutboxSql.NextAttemptAfter, [("@now", SqliteDialect.Format(now))]);
        return next is null ? null : SqliteDialect.Parse(next);
    }

    private async Task<IReadOnlyList<OutboxEvent>> QueryAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(sql, ToEvent, parameters);
    }

    private OutboxEvent ToEvent(DbDataReader row) => StoredRows.Outbox(row, protector, SqliteDialect.Timestamp);

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(OutboxSql.Delete, [("@id", id)]), cancellationToken);

    public Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(
            """
            UPDATE events SET next_attempt_at = MAX(next_attempt_at, @next),
                              attempts = CASE WHEN id = @id THEN @attempts ELSE attempts END
            WHERE server = (SELECT server FROM events WHERE id = @id) AND id >= @id
            """,
            [("@id", id), ("@attempts", attempts), ("@next", SqliteDialect.Format(nextAttemptAt))]), cancellationToken);

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (int)await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events");
    }

    public Task FinishAsync(long id, int attempts, string outcome, CancellationToken cancellationToken = default) =>
        _finishes.WriteAsync((id, attempts, outcome, SqliteDialect.Format(time.GetUtcNow())), cancellationToken);

    public async Task<EventListing> ListAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await OutboxSql.ListAsync(connection, query, SqliteDialect.Timestamp, cancellationToken);
    }

    public Task<int> PruneFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(OutboxSql.PruneFinished, [("@before", SqliteDialect.Format(before))]), cancellationToken);
}
