using Dapper;

namespace Outpost.Storage.Sqlite;

/// <summary><see cref="IEventOutbox"/> over SQLite; tokens are encrypted.</summary>
public sealed class SqliteEventOutbox(SqliteDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    public async Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = SqliteServerStore.Format(time.GetUtcNow());
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO events (hub, server, url, token, body, attempts, next_attempt_at, created_at)
            VALUES (@Hub, @Server, @Url, @Token, @Body, 0, @Now, @Now) RETURNING id
            """,
            new { outboxEvent.Hub, outboxEvent.Server, outboxEvent.Url, Token = protector.Protect(outboxEvent.Token), outboxEvent.Body, Now = now });
    }

    public async Task<IReadOnlyList<OutboxEvent>> PendingAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Hub, string Server, string Url, byte[] Token, string Body, long Attempts, string NextAttemptAt, string CreatedAt)>(
            "SELECT id, hub, server, url, token, body, attempts, next_attempt_at, created_at FROM events ORDER BY id LIMIT @limit",
            new { limit });
        return [.. rows.Select(r => new OutboxEvent
        {
            Id = r.Id, Hub = r.Hub, Server = r.Server, Url = r.Url, Token = protector.Unprotect(r.Token), Body = r.Body,
            Attempts = (int)r.Attempts, NextAttemptAt = SqliteServerStore.Parse(r.NextAttemptAt), CreatedAt = SqliteServerStore.Parse(r.CreatedAt),
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
            "UPDATE events SET attempts = @attempts, next_attempt_at = @next WHERE id = @id",
            new { id, attempts, next = SqliteServerStore.Format(nextAttemptAt) });
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM events");
    }
}
