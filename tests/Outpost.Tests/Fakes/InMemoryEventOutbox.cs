using Outpost.Storage;

namespace Outpost.Tests.Fakes;

/// <summary><see cref="IEventOutbox"/> in a list, ordered by id like the SQLite one.</summary>
public sealed class InMemoryEventOutbox(TimeProvider time) : IEventOutbox
{
    private readonly Lock _lock = new();
    private readonly List<OutboxEvent> _events = [];
    private readonly List<EventEntry> _finished = [];
    private long _nextId = 1;

    /// <summary>Events the relay finished, with their outcomes.</summary>
    public IReadOnlyList<EventEntry> Finished
    {
        get
        {
            lock (_lock)
            {
                return [.. _finished];
            }
        }
    }

    public IReadOnlyList<OutboxEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Adds an event as stored, keeping its <see cref="OutboxEvent.CreatedAt"/> and attempts when given.</summary>
    public long Add(OutboxEvent outboxEvent)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var stored = outboxEvent with
            {
                Id = _nextId++,
                CreatedAt = outboxEvent.CreatedAt == default ? now : outboxEvent.CreatedAt,
                NextAttemptAt = outboxEvent.NextAttemptAt == default ? now : outboxEvent.NextAttemptAt,
            };
            _events.Add(stored);
            return stored.Id;
        }
    }

    public Task<long> AppendAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken = default) =>
        Task.FromResult(Add(outboxEvent with { CreatedAt = default, NextAttemptAt = default, Attempts = 0 }));

    public Task<IReadOnlyList<OutboxEvent>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var waiting = new HashSet<string>(StringComparer.Ordinal);
            var due = new List<OutboxEvent>();
            foreach (var e in _events.OrderBy(e => e.Id))
            {
                if (e.NextAttemptAt > now)
                {
                    waiting.Add(e.Server);
                }
                else if (!waiting.Contains(e.Server))
                {
                    due.Add(e);
                }
            }
            return Task.FromResult<IReadOnlyList<OutboxEvent>>([.. due.Take(limit)]);
        }
    }

    public Task<DateTimeOffset?> NextAttemptAfterAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var later = _events.Where(e => e.NextAttemptAt > now).Select(e => e.NextAttemptAt).ToList();
            return Task.FromResult<DateTimeOffset?>(later.Count == 0 ? null : later.Min());
        }
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _events.RemoveAll(e => e.Id == id);
        }
        return Task.CompletedTask;
    }

    public Task RescheduleAsync(long id, int attempts, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var index = _events.FindIndex(e => e.Id == id);
            if (index >= 0)
            {
                var server = _events[index].Server;
                for (var i = 0; i < _events.Count; i++)
                {
                    var e = _events[i];
                    if (e.Server == server && e.Id >= id)
                    {
                        _events[i] = e with
                        {
                            Attempts = e.Id == id ? attempts : e.Attempts,
                            NextAttemptAt = e.NextAttemptAt > nextAttemptAt ? e.NextAttemptAt : nextAttemptAt,
                        };
                    }
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_events.Count);
        }
    }

    public Task FinishAsync(long id, int attempts, string outcome, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_events.Find(e => e.Id == id) is { } done)
            {
                _events.Remove(done);
                _finished.Add(Entry(done) with { Attempts = attempts, Outcome = outcome, FinishedAt = time.GetUtcNow(), NextAttemptAt = null });
            }
        }
        return Task.CompletedTask;
    }

    public Task<EventListing> ListAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            bool Matches(EventEntry e) => (query.Hub is null || e.Hub == query.Hub) && (query.Server is null || e.Server == query.Server);
            var waiting = _events.Select(Entry).Where(Matches).ToList();
            var finished = _finished.Where(Matches).Where(e => !query.UndeliveredOnly || !e.Delivered);
            var latest = waiting.Concat(finished).OrderByDescending(e => e.Id).Take(query.Limit).Reverse().ToList();
            return Task.FromResult(new EventListing(latest, waiting.Count));
        }
    }

    public Task<int> PruneFinishedAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_finished.RemoveAll(e => e.FinishedAt < before));
        }
    }

    private static EventEntry Entry(OutboxEvent e) => new()
    {
        Id = e.Id, Hub = e.Hub, Server = e.Server, Body = e.Body, Attempts = e.Attempts, CreatedAt = e.CreatedAt, NextAttemptAt = e.NextAttemptAt,
    };
}
