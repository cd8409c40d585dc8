namespace Outpost.Storage;

/// <summary>Durable queue of progress events waiting to be delivered to hubs.</summary>
public interface IEventOutbox
{
    Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default);

    /// <summary>Oldest pending events, at most <paramref name="limit"/>, in the order they were appended.</summary>
    Task<IReadOnlyList<OutboxEvent>> PendingAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Events that may be sent at <paramref name="now"/>, oldest first, at most <paramref name="limit"/>: due, and
    /// no earlier event of the same server is waiting for a retry. Found through indexes, so the cost is what is
    /// due, not how many events wait for a hub that is down.
    /// </summary>
    Task<IReadOnlyList<OutboxEvent>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>The earliest next attempt after <paramref name="now"/>; null when no event waits for a later time.</summary>
    Task<DateTimeOffset?> NextAttemptAfterAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    Task DeleteAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets an event's attempts and next attempt; the later events of its server are held back until then too,
    /// since they may only go after it (so while a hub is down they are not due, and <see cref="DueAsync"/> skips them).
    /// </summary>
    Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default);

    Task<int> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>One stored event: where it goes, with which token, and the JSON body.</summary>
public sealed record OutboxEvent
{
    public long Id { get; init; }
    public required string Hub { get; init; }
    public required string Server { get; init; }
    public required string Url { get; init; }
    public required string Token { get; init; }
    public required string Body { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
