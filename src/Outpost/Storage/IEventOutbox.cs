namespace Outpost.Storage;

/// <summary>Durable queue of progress events waiting to be delivered to hubs.</summary>
public interface IEventOutbox
{
    Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Takes a handled event out of the outbox and keeps it, without its URL and token, in the delivery log with its
    /// <paramref name="outcome"/> (<see cref="EventOutcomes"/>) and <paramref name="attempts"/>; one transaction.
    /// </summary>
    Task FinishAsync(long id, int attempts, string outcome, CancellationToken cancellationToken = default);

    /// <summary>
    /// The latest events that match <paramref name="query"/>, waiting and finished, in the order they were appended,
    /// and how many of the matching events still wait in the outbox.
    /// </summary>
    Task<EventListing> ListAsync(EventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Forgets delivery-log entries finished before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}

/// <summary>How an event left the outbox: the first word is the kind, what follows says why.</summary>
public static class EventOutcomes
{
    public const string Delivered = "delivered";

    /// <summary>The hub answered with a 4xx that retrying would not change.</summary>
    public static string Refused(int status) => $"refused (HTTP {status})";

    /// <summary>Older than the maximum age, after <c>failure</c> on the last attempt.</summary>
    public static string Dropped(string failure) => $"dropped ({failure})";
}

/// <summary>Which events to list: of one hub and/or one server (<see cref="Servers.ServerKey"/> text), only the undelivered ones.</summary>
public sealed record EventQuery(string? Hub = null, string? Server = null, bool UndeliveredOnly = false, int Limit = 100);

/// <summary>The events a query found (oldest first) and how many of its events wait in the outbox.</summary>
public sealed record EventListing(IReadOnlyList<EventEntry> Events, int Waiting);

/// <summary>An event as an operator sees it: waiting (no <see cref="Outcome"/>) or finished, never its URL or token.</summary>
public sealed record EventEntry
{
    public long Id { get; init; }
    public required string Hub { get; init; }
    public required string Server { get; init; }
    public required string Body { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a waiting event is sent next; null once finished.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Null while the event waits; otherwise <see cref="EventOutcomes"/>.</summary>
    public string? Outcome { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool Delivered => Outcome == EventOutcomes.Delivered;
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
