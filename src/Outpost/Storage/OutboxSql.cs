namespace Outpost.Storage;

/// <summary>The event outbox's SQL that PostgreSQL and SQLite share word for word; only parameter types differ.</summary>
internal static class OutboxSql
{
    public const string Insert = """
        INSERT INTO events (hub, server, url, token, body, attempts, next_attempt_at, created_at)
        VALUES (@Hub, @Server, @Url, @Token, @Body, 0, @Now, @Now) RETURNING id
        """;

    private const string Columns = "id, hub, server, url, token, body, attempts, next_attempt_at, created_at";

    public const string Pending = $"SELECT {Columns} FROM events ORDER BY id LIMIT @limit";

    /// <summary>Due events (@now) whose server has no earlier event waiting for a retry, oldest first (@limit).</summary>
    public const string Due = $"""
        SELECT {Columns} FROM events e
        WHERE e.next_attempt_at <= @now
          AND NOT EXISTS (SELECT 1 FROM events w WHERE w.server = e.server AND w.id < e.id AND w.next_attempt_at > @now)
        ORDER BY e.id LIMIT @limit
        """;

    public const string NextAttemptAfter = "SELECT MIN(next_attempt_at) FROM events WHERE next_attempt_at > @now";

    public const string Delete = "DELETE FROM events WHERE id = @id";
}
