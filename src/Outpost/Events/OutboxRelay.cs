using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Events;

/// <summary>
/// Delivers what the outbox holds to hubs: servers' progress events, flavor usage updates (<see cref="Flavors.FlavorUpdates"/>)
/// and sshd restart announcements. In order per server, different servers in parallel, retrying with
/// exponential backoff. A slow or failing hub only delays its own events and never a start; events
/// survive restarts because they are read back from the outbox. Only the leading replica relays; with
/// replicas, events appended elsewhere do not wake it, so it looks at the outbox every second.
/// </summary>
public sealed partial class OutboxRelay(
    IEventOutbox outbox,
    IHttpClientFactory httpClients,
    IOptions<EventsOptions> options,
    OutpostMetrics metrics,
    ILeadership leadership,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public const string HttpClientName = "hub-events";
    private const int BatchSize = 1000;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly DeliveryNotices _notices = new();
    private readonly StartEventGathering _gathering = new();

    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>Asks the relay to look at the outbox now.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Whether a wake waits for the relay (for tests).</summary>
    internal bool WakeRequested => _wake.Reader.TryPeek(out _);

    /// <summary>Asks the relay to look at the outbox for a new event of <paramref name="server"/>, unless its start holds it.</summary>
    public void Wake(string server, string url)
    {
        if (!_gathering.Gathers(server, url, time.GetUtcNow()))
        {
            Wake();
        }
    }

    /// <summary>
    /// Keeps the events of <paramref name="server"/> back while its start runs, at most
    /// <see cref="EventsOptions.GatherStartEventsMilliseconds"/>, so a fast start's events reach a hub that takes
    /// batches in one request. Disposing it (when the start ends) sends what waited.
    /// </summary>
    public IDisposable GatherStartEvents(string server)
    {
        var limit = options.Value.GatherStartEventsMilliseconds;
        if (limit == 0)
        {
            return Gathered.None;
        }
        var span = TimeSpan.FromMilliseconds(limit);
        _gathering.Begin(server, time.GetUtcNow() + span);
        // The events appended meanwhile did not wake the relay: it looks again when the limit is reached.
        return new Gathered(this, server, time.CreateTimer(_ => Wake(), null, span, Timeout.InfiniteTimeSpan));
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, until this replica's relay has handled the event <paramref name="id"/>.
    /// Another replica's relay does not report here, so only the leader waits.
    /// </summary>
    public Task WaitDeliveredAsync(long id, TimeSpan limit) => leadership.IsLeader ? _notices.WaitAsync(id, limit) : Task.CompletedTask;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(RelayAsync, stoppingToken);

    private async Task RelayAsync(CancellationToken stoppingToken)
    {
        var idle = leadership.IsReplicated ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(30);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? wait;
            try
            {
                wait = await DeliverDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.RelayPassFailed(logger, ex);
                wait = TimeSpan.FromSeconds(1);
            }
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            // With replicas, cap the wait: appends on other replicas cannot wake this one.
            delay.CancelAfter(wait is { } due && (!leadership.IsReplicated || due < idle) ? due : idle);
            try
            {
                await _wake.Reader.ReadAsync(delay.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The wait ended: time for due retries.
            }
        }
    }

    /// <summary>
    /// Delivers what is due; returns how long until the next retry is due (null: nothing waits). Reads only due
    /// events and the next retry time (both indexed), so a pass costs what is due, not the whole backlog.
    /// </summary>
    internal async Task<TimeSpan?> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var passStart = time.GetUtcNow();
        await PruneFinishedAsync(passStart, cancellationToken);
        var due = await outbox.DueAsync(passStart, BatchSize, cancellationToken);
        var byServer = new List<List<OutboxEvent>>();
        DateTimeOffset? heldUntil = null;
        foreach (var events in due.GroupBy(e => e.Server).Select(g => g.ToList()))
        {
            if (_gathering.Holds(events, passStart, out var until))
            {
                heldUntil = heldUntil is { } earlier && earlier < until ? earlier : until;
                continue;
            }
            byServer.Add(events);
        }
        await Parallel.ForEachAsync(
            byServer,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
            async (events, ct) =>
            {
                for (var next = 0; next < events.Count;)
                {
                    var handled = await TryDeliverAsync(EventBatches.Next(events, next), ct);
                    if (handled == 0)
                    {
                        return; // keep order: later events of this server wait for this one (rescheduled with it)
                    }
                    next += handled;
                }
            });
        if (due.Count == BatchSize && byServer.Count > 0)
        {
            return TimeSpan.Zero; // more may be due (when all were held, the rest waits for the holds, briefly)
        }
        // Later than the pass's start, not its end: a retry that fell due while this pass ran was neither
        // delivered nor is it in the future now, and asking from the end would leave it for the idle wait.
        var next = await outbox.NextAttemptAfterAsync(passStart, cancellationToken);
        if (heldUntil is { } held && (next is null || held < next))
        {
            next = held;
        }
        if (next is null)
        {
            return null;
        }
        var wait = next.Value - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Ends a start's gathering and wakes the relay to send what waited.</summary>
    private sealed class Gathered(OutboxRelay? relay, string server, ITimer? limit) : IDisposable
    {
        public static readonly Gathered None = new(null, "", null);

        public void Dispose()
        {
            if (relay is not null)
            {
                limit!.Dispose();
                relay._gathering.End(server);
                relay.Wake();
            }
        }
    }

    /// <summary>
    /// Forgets finished events (kept for <c>outpost events</c>) once they are older than the age after which an
    /// undelivered event is dropped; at most once a minute.
    /// </summary>
    private async Task PruneFinishedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now - _lastPrune < PruneInterval)
        {
            return;
        }
        _lastPrune = now;
        await outbox.PruneFinishedAsync(now - TimeSpan.FromHours(options.Value.MaxAgeHours), cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="batch"/> (one event, or several the hub takes in one request, see <see cref="EventBatches"/>)
    /// and returns how many of its events left the outbox: all once the hub answered, none when it should be tried
    /// again (the first is rescheduled and holds back the rest), one when the first is too old to try again.
    /// </summary>
    private async Task<int> TryDeliverAsync(IReadOnlyList<OutboxEvent> batch, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var first = batch[0];
        string failure;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, first.Url)
            {
                Content = new StringContent(EventBatches.Body(batch), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("token", first.Token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || (status is >= 400 and < 500 && status is not (408 or 429)))
            {
                // A 4xx other than timeouts/throttling will not change on retry (e.g. the hub filtered it).
                var statuses = batch.Count > 1 && response.IsSuccessStatusCode
                    ? EventBatches.Statuses(await response.Content.ReadAsStringAsync(timeout.Token), batch.Count, status)
                    : Enumerable.Repeat(status, batch.Count).ToArray();
                for (var i = 0; i < batch.Count; i++)
                {
                    await FinishAsync(batch[i], statuses[i]);
                }
                return batch.Count;
            }
            failure = $"HTTP {status}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended (or the host stops) with the request in flight: the hub may have taken the
            // events, and the next leader sends them again, with the same ids.
            Log.DeliveryInterrupted(logger, first.Server);
            throw;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Any failure (network, timeout, an unusable URL from the hub) delays only this server's events.
            failure = ex.GetType().Name;
        }

        var attempts = first.Attempts + 1;
        if (time.GetUtcNow() - first.CreatedAt > TimeSpan.FromHours(settings.MaxAgeHours))
        {
            Log.EventDropped(logger, first.Server, attempts, failure);
            await outbox.FinishAsync(first.Id, attempts, EventOutcomes.Dropped(failure), CancellationToken.None);
            _notices.Handled(first.Id);
            metrics.EventDelivered(false);
            return 1;
        }
        var backoff = TimeSpan.FromMilliseconds(Math.Min(
            settings.InitialBackoffMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 20)),
            settings.MaxBackoffSeconds * 1000.0));
        Log.EventRetry(logger, first.Server, attempts, failure, backoff.TotalMilliseconds);
        await outbox.RescheduleAsync(first.Id, attempts, time.GetUtcNow() + backoff, CancellationToken.None);
        return 0;
    }

    /// <summary>The hub answered <paramref name="status"/> for <paramref name="outboxEvent"/>: it leaves the outbox.</summary>
    private async Task FinishAsync(OutboxEvent outboxEvent, int status)
    {
        var delivered = status is >= 200 and < 300;
        if (!delivered)
        {
            Log.EventRejected(logger, outboxEvent.Server, status);
        }
        await outbox.FinishAsync(outboxEvent.Id, outboxEvent.Attempts + 1, delivered ? EventOutcomes.Delivered : EventOutcomes.Refused(status), CancellationToken.None);
        _notices.Handled(outboxEvent.Id);
        metrics.EventDelivered(delivered, outboxEvent.Hub, time.GetUtcNow() - outboxEvent.CreatedAt);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RelayPassFailed, Level = LogLevel.Error, Message = "Event relay pass failed")]
        public static partial void RelayPassFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = LogEvents.EventRejected, Level = LogLevel.Warning, Message = "Hub refused an event for {Server} with HTTP {Status}; not retried")]
        public static partial void EventRejected(ILogger logger, string server, int status);

        [LoggerMessage(EventId = LogEvents.EventRetry, Level = LogLevel.Information, Message = "Event for {Server} not delivered (attempt {Attempts}: {Failure}); retry in {BackoffMs} ms")]
        public static partial void EventRetry(ILogger logger, string server, int attempts, string failure, double backoffMs);

        [LoggerMessage(EventId = LogEvents.EventDeliveryInterrupted, Level = LogLevel.Information, Message = "Delivery of an event for {Server} was interrupted (leadership ended or the Outpost stops); it will be sent again")]
        public static partial void DeliveryInterrupted(ILogger logger, string server);

        [LoggerMessage(EventId = LogEvents.EventDropped, Level = LogLevel.Warning, Message = "Event for {Server} dropped after {Attempts} attempts ({Failure}): older than the maximum age")]
        public static partial void EventDropped(ILogger logger, string server, int attempts, string failure);
    }
}
