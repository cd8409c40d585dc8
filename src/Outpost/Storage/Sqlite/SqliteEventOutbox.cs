using System.Data.Common;

namespace Outpost.Storage.Sqlite;

/// <summary><see cref="IEventOutbox"/> over SQLite; tokens are encrypted.</summary>
public sealed class SqliteEventOutbox(SqliteDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    public Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default)
    {
        var now = SqliteDialect.Format(time.GetUtcNow());
        return database.WriteAsync(connection => connection.ExecuteScalarAsync<long>(
            OutboxSql.Insert,
            [
                ("@Hub", outboxEvent.Hub), ("@Server", outboxEvent.Server), ("@Url", outboxEvent.Url),
                ("@Token", protector.Protect(outboxEvent.Token)), ("@Body", outboxEvent.Body), ("@Now", now),
            ]), cancellationToken);
    }

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

    public Task FinishAsync(long id, int attempts, string outcome, CancellationToken cancellationToken = default)
    {
        var now = SqliteDialect.Format(time.GetUtcNow());
        return database.WriteAsync(async connection =>
        {
            await using var transaction = connection.BeginTransaction();
            await connection.ExecuteAsync(OutboxSql.Finish, [("@id", id), ("@attempts", attempts), ("@outcome", outcome), ("@now", now)], transaction);
            await transaction.CommitAsync(CancellationToken.None);
            return 0;
        }, cancellationToken);
    }

    public async Task<EventListing> ListAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await OutboxSql.ListAsync(connection, query, SqliteDialect.Timestamp, cancellationToken);
    }

    public Task<int> PruneFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(OutboxSql.PruneFinished, [("@before", SqliteDialect.Format(before))]), cancellationToken);
}
