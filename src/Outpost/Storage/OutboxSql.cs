using System.Data.Common;

namespace Outpost.Storage;

/// <summary>The event outbox's SQL that PostgreSQL and SQLite share word for word; only parameter types differ.</summary>
internal static class OutboxSql
{
    public const string Insert = """
        INSERT INTO events (hub, server, url, token, body, attempts, next_attempt_at, created_at)
        VALUES (@Hub, @Server, @Url, @Token, @Body, 0, @Now, @Now) RETURNING id
        """;

    private const string Columns = "id, hub, server, url, token, body, attempts, next_attempt_at, created_at";

    /// <summary>Due events (@now) whose server has no earlier event waiting for a retry, oldest first (@limit).</summary>
    public const string Due = $"""
        SELECT {Columns} FROM events e
        WHERE e.next_attempt_at <= @now
          AND NOT EXISTS (SELECT 1 FROM events w WHERE w.server = e.server AND w.id < e.id AND w.next_attempt_at > @now)
        ORDER BY e.id LIMIT @limit
        """;

    public const string NextAttemptAfter = "SELECT MIN(next_attempt_at) FROM events WHERE next_attempt_at > @now";

    public const string Delete = "DELETE FROM events WHERE id = @id";

    /// <summary>
    /// Moves event @id to the delivery log (@attempts, @outcome, @now); run in one transaction. An event finished
    /// twice (a leader's term ended after the hub took it, and the next leader sent it again) is logged once.
    /// </summary>
    public const string Finish = """
        INSERT INTO event_deliveries (id, hub, server, body, attempts, outcome, created_at, finished_at)
        SELECT id, hub, server, body, @attempts, @outcome, created_at, @now FROM events WHERE id = @id
        ON CONFLICT (id) DO NOTHING;
        DELETE FROM events WHERE id = @id
        """;

    public const string PruneFinished = "DELETE FROM event_deliveries WHERE finished_at < @before";

    /// <summary>The filter of an <see cref="EventQuery"/> as SQL and its parameters (only those it uses).</summary>
    private static (string Where, List<(string, object?)> Parameters) Filter(EventQuery query)
    {
        var where = "WHERE 1 = 1";
        var parameters = new List<(string, object?)>();
        if (query.Hub is { } hub)
        {
            where += " AND hub = @hub";
            parameters.Add(("@hub", hub));
        }
        if (query.Server is { } server)
        {
            where += " AND server = @server";
            parameters.Add(("@server", server));
        }
        return (where, parameters);
    }

    /// <summary>
    /// Lists waiting and finished events of <paramref name="query"/>: the latest of each table, merged by id (a
    /// finished event keeps its outbox id). Both providers use this; only timestamps are read differently.
    /// </summary>
    public static async Task<EventListing> ListAsync(DbConnection connection, EventQuery query, StoredRows.TimestampReader timestamp, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        (string, object?)[] withLimit = [.. parameters, ("@limit", query.Limit)];
        var waiting = await connection.QueryAsync(
            $"SELECT id, hub, server, body, attempts, created_at, next_attempt_at FROM events {where} ORDER BY id DESC LIMIT @limit",
            row => new EventEntry
            {
                Id = row.GetInt64(0), Hub = row.GetString(1), Server = row.GetString(2), Body = row.GetString(3),
                Attempts = row.GetInt32(4), CreatedAt = timestamp(row, 5), NextAttemptAt = timestamp(row, 6),
            },
            withLimit, cancellationToken: cancellationToken);
        var finishedWhere = query.UndeliveredOnly ? $"{where} AND outcome <> '{EventOutcomes.Delivered}'" : where;
        var finished = await connection.QueryAsync(
            $"SELECT id, hub, server, body, attempts, created_at, outcome, finished_at FROM event_deliveries {finishedWhere} ORDER BY id DESC LIMIT @limit",
            row => new EventEntry
            {
                Id = row.GetInt64(0), Hub = row.GetString(1), Server = row.GetString(2), Body = row.GetString(3),
                Attempts = row.GetInt32(4), CreatedAt = timestamp(row, 5), Outcome = row.GetString(6), FinishedAt = timestamp(row, 7),
            },
            withLimit, cancellationToken: cancellationToken);
        var count = await connection.ExecuteScalarAsync<object?>($"SELECT COUNT(*) FROM events {where}", [.. parameters], cancellationToken: cancellationToken);
        var latest = waiting.Concat(finished).OrderByDescending(e => e.Id).Take(query.Limit).Reverse().ToList();
        return new EventListing(latest, Convert.ToInt32(count, System.Globalization.CultureInfo.InvariantCulture));
    }
}
