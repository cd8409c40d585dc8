using Dapper;

namespace Outpost.Storage.Sqlite;

/// <summary><see cref="IEventOutbox"/> over SQLite; tokens are encrypted.</summary>
public sealed class SqliteEventOutbox(SqliteDatabase database, SecretProtector protector, TimeProvider time) : IEventOutbox
{
    public Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default)
    {
        var now = SqliteServerStore.Format(time.GetUtcNow());
        return database.WriteAsync(connection => connection.ExecuteScalarAsync<long>(
            OutboxSql.Insert,
            new { outboxEvent.Hub, outboxEvent.Server, outboxEvent.Url, Token = protector.Protect(outboxEvent.Token), outboxEvent.Body, Now = now }), cancellationToken);
    }

    public Task<IReadOnlyList<OutboxEvent>> PendingAsync(int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(OutboxSql.Pending, new { limit }, cancellationToken);

    public Task<IReadOnlyList<OutboxEvent>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(OutboxSql.Due, new { now = SqliteServerStore.Format(now), limit }, cancellationToken);

    public async Task<DateTimeOffset?> NextAttemptAfterAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<string?>(
            OutboxSql.NextAttemptAfter, new { now = SqliteServerStore.Format(now) });
        return next is null ? null : SqliteServerStore.Parse(next);
    }

    private async Task<IReadOnlyList<OutboxEvent>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Hub, string Server, string Url, byte[] Token, string Body, long Attempts, string NextAttemptAt, string CreatedAt)>(
            sql, parameters);
        return [.. rows.Select(r => new OutboxEvent
        {
            Id = r.Id, Hub = r.Hub, Server = r.Server, Url = r.Url, Token = protector.Unprotect(r.Token), Body = r.Body,
            Attempts = (int)r.Attempts, NextAttemptAt = SqliteServerStore.Parse(r.NextAttemptAt), CreatedAt = SqliteServerStore.Parse(r.CreatedAt),
        })];
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(OutboxSql.Delete, new { id }), cancellationToken);

    public Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(
            """
            UPDATE events SET next_attempt_at = MAX(next_attempt_at, @next),
                              attempts = CASE WHEN id = @id THEN @attempts ELSE attempts END
            WHERE server = (SELECT server FROM events WHERE id = @id) AND id >= @id
            """,
            new { id, attempts, next = SqliteServerStore.Format(nextAttemptAt) }), cancellationToken);

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM events");
    }
}
