using Dapper;

namespace Outpost.Storage.Postgres;

/// <summary><see cref="IEventOutbox"/> over PostgreSQL; tokens are encrypted.</summary>
public sealed class PostgresEventOutbox(PostgresDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    public async Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            OutboxSql.Insert,
            new { outboxEvent.Hub, outboxEvent.Server, outboxEvent.Url, Token = protector.Protect(outboxEvent.Token), outboxEvent.Body, Now = time.GetUtcNow() });
    }

    public Task<IReadOnlyList<OutboxEvent>> PendingAsync(int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(OutboxSql.Pending, new { limit }, cancellationToken);

    public Task<IReadOnlyList<OutboxEvent>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(OutboxSql.Due, new { now, limit }, cancellationToken);

    public async Task<DateTimeOffset?> NextAttemptAfterAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<DateTime?>(OutboxSql.NextAttemptAfter, new { now });
        return next is { } value ? PostgresServerStore.Utc(value) : null;
    }

    private async Task<IReadOnlyList<OutboxEvent>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Hub, string Server, string Url, byte[] Token, string Body, int Attempts, DateTime NextAttemptAt, DateTime CreatedAt)>(
            sql, parameters);
        return [.. rows.Select(r => new OutboxEvent
        {
            Id = r.Id, Hub = r.Hub, Server = r.Server, Url = r.Url, Token = protector.Unprotect(r.Token), Body = r.Body,
            Attempts = r.Attempts, NextAttemptAt = PostgresServerStore.Utc(r.NextAttemptAt), CreatedAt = PostgresServerStore.Utc(r.CreatedAt),
        })];
    }

    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(OutboxSql.Delete, new { id });
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
            new { id, attempts, nextAttemptAt });
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*)::int FROM events");
    }
}
