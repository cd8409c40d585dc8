namespace Outpost.Storage;

/// <summary>Durable queue of progress events waiting to be delivered to hubs.</summary>
public interface IEventOutbox
{
    Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default);

    /// <summary>Oldest pending events, at most <paramref name="limit"/>, in the order they were appended.</summary>
    Task<IReadOnlyList<OutboxEvent>> PendingAsync(int limit, CancellationToken cancellationToken = default);

    Task DeleteAsync(long id, CancellationToken cancellationToken = default);

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
