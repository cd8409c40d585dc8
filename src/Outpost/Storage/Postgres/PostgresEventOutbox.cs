using System.Data.Common;

namespace Outpost.Storage.Postgres;

/// <summary><see cref="IEventOutbox"/> over PostgreSQL; tokens are encrypted.</summary>
public sealed class PostgresEventOutbox(PostgresDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    public async Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            OutboxSql.Insert,
            [
                ("@Hub", outboxEvent.Hub), ("@Server", outboxEvent.Server), ("@Url", outboxEvent.Url),
                ("@Token", protector.Protect(outboxEvent.Token)), ("@Body", outboxEvent.Body), ("@Now", time.GetUtcNow()),
            ]);
    }

    public Task<IReadOnlyList<OutboxEvent>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(OutboxSql.Due, [("@now", now), ("@limit", limit)], cancellationToken);

    public async Task<DateTimeOffset?> NextAttemptAfterAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<DateTime?>(OutboxSql.NextAttemptAfter, [("@now", now)]);
        return next is { } value ? PostgresDialect.Utc(value) : null;
    }

    private async Task<IReadOnlyList<OutboxEvent>> QueryAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(sql, ToEvent, parameters);
    }

    private OutboxEvent ToEvent(DbDataReader row) => StoredRows.Outbox(row, protector, PostgresDialect.Timestamp);

    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(OutboxSql.Delete, [("@id", id)]);
    }

    public async Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE events SET next_attempt_at = GREATEST(next_attempt_at, @nextAttemptAt),
                              attempts = CASE WHEN id = @id THEN @attempts ELSE attempts END
            WHERE server = (SELECT server FROM events WHERE id = @id) AND id >= @id
            """,
            [("@id", id), ("@attempts", attempts), ("@nextAttemptAt", nextAttemptAt)]);
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*)::int FROM events");
    }

    public async Task FinishAsync(long id, int attempts, string outcome, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(OutboxSql.Finish, [("@id", id), ("@attempts", attempts), ("@outcome", outcome), ("@now", time.GetUtcNow())], transaction);
        await transaction.CommitAsync(CancellationToken.None);
    }

    public async Task<EventListing> ListAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await OutboxSql.ListAsync(connection, query, PostgresDialect.Timestamp, cancellationToken);
    }

    public async Task<int> PruneFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(OutboxSql.PruneFinished, [("@before", before)]);
    }
}
