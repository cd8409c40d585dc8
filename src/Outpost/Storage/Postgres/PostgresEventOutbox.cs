using Dapper;

namespace Outpost.Storage.Postgres;

/// <summary><see cref="IEventOutbox"/> over PostgreSQL; tokens are encrypted.</summary>
public sealed class PostgresEventOutbox(PostgresDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    public async Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO events (hub, server, url, token, body, attempts, next_attempt_at, created_at)
            VALUES (@Hub, @Server, @Url, @Token, @Body, 0, @Now, @Now) RETURNING id
            """,
            new { outboxEvent.Hub, outboxEvent.Server, outboxEvent.Url, Token = protector.Protect(outboxEvent.Token), outboxEvent.Body, Now = time.GetUtcNow() });
    }

    public async Task<IReadOnlyList<OutboxEvent>> PendingAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Hub, string Server, string Url, byte[] Token, string Body, int Attempts, DateTime NextAttemptAt, DateTime CreatedAt)>(
            "SELECT id, hub, server, url, token, body, attempts, next_attempt_at, created_at FROM events ORDER BY id LIMIT @limit",
            new { limit });
        return [.. rows.Select(r => new OutboxEvent
        {
            Id = r.Id, Hub = r.Hub, Server = r.Server, Url = r.Url, Token = protector.Unprotect(r.Token), Body = r.Body,
            Attempts = r.Attempts, NextAttemptAt = PostgresServerStore.Utc(r.NextAttemptAt), CreatedAt = PostgresServerStore.Utc(r.CreatedAt),
        })];
    }

    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM events WHERE id = @id", new { id });
    }

    public async Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE events SET attempts = @attempts, next_attempt_at = @nextAttemptAt WHERE id = @id",
            new { id, attempts, nextAttemptAt });
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*)::int FROM events");
    }
}
