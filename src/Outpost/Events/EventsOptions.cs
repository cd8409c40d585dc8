namespace Outpost.Events;

/// <summary>Options of the progress-event relay, bound to <c>Outpost:Events</c>.</summary>
public sealed class EventsOptions
{
    /// <summary>Timeout of one delivery to the hub, in seconds. Default 10.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>First retry delay in milliseconds; doubles per attempt up to <see cref="MaxBackoffSeconds"/>. Default 500.</summary>
    public int InitialBackoffMilliseconds { get; set; } = 500;

    /// <summary>Longest delay between retries, in seconds. Default 60.</summary>
    public int MaxBackoffSeconds { get; set; } = 60;

    /// <summary>An event still undelivered after this many hours is dropped (and logged). Default 24.</summary>
    public int MaxAgeHours { get; set; } = 24;

    /// <summary>Whether the hub's TLS certificate is verified. Default true (the original did not verify).</summary>
    public bool VerifyTls { get; set; } = true;

    /// <summary>
    /// How long, at most, a start's events wait in the outbox while the start runs, so that a hub that takes batches
    /// gets a fast start's events in one request (each request costs the hub's one Python thread a token lookup).
    /// A slow start's events flow as they come after this. 0: no waiting. Default 500.
    /// </summary>
    public int GatherStartEventsMilliseconds { get; set; } = 500;

    /// <summary>Deliveries to different servers that run at once. Default 8.</summary>
    public int Parallelism { get; set; } = 8;
}
