using Microsoft.Extensions.Options;
using Outpost.Operations;
using Outpost.Storage;

namespace Outpost.Replicas;

/// <summary>
/// Leadership among replicas sharing a PostgreSQL database, through two kinds of lease in the
/// <c>leases</c> table: every replica renews <c>replica/{id}</c> (it is alive), and one of them holds
/// <c>leader</c>. Renewal runs every <see cref="ReplicasOptions.RenewSeconds"/>; a replica that dies
/// stops renewing and another takes over once the lease expires; a clean shutdown releases both
/// leases so another replica takes over at its next renewal.
/// </summary>
public sealed partial class LeaderElection(
    ILeaseStore leases,
    ReplicaIdentity identity,
    IOptions<ReplicasOptions> options,
    TimeProvider time,
    ILogger<LeaderElection> logger) : BackgroundService, ILeadership
{
    public const string LeaderLease = "leader";
    public const string ReplicaLeasePrefix = "replica/";

    private readonly Lock _lock = new();
    private TaskCompletionSource<CancellationToken> _leadership = NewLeadership();
    private CancellationTokenSource? _term;
    private DateTimeOffset _validUntil;

    public bool IsReplicated => true;

    public bool IsLeader
    {
        get
        {
            lock (_lock)
            {
                // The term's timer ends it on time; a starved thread pool may run that timer late, so the clock decides too.
                return _term is not null && time.GetUtcNow() < _validUntil - RenewInterval;
            }
        }
    }

    private TimeSpan Ttl => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    private TimeSpan RenewInterval => TimeSpan.FromSeconds(options.Value.RenewSeconds);

    public async Task RunWhileLeaderAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Task<CancellationToken> leadership;
            lock (_lock)
            {
                leadership = _leadership.Task;
            }
            CancellationToken term;
            try
            {
                term = await leadership.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
            try
            {
                await work(linked.Token);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                // Leadership lost or host stopping: decided below.
            }
            if (!term.IsCancellationRequested)
            {
                return; // the work ended on its own, or the host stops
            }
        }
    }

    public async Task<bool> IsAliveAsync(string? replica, CancellationToken cancellationToken) =>
        replica is not null
        && (replica == identity.Id || await leases.FindHolderAsync(ReplicaLeasePrefix + replica, cancellationToken) == replica);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Joined(logger, identity.Id, options.Value.LeaseSeconds);
        await TickAsync(cancellationToken); // alive (and perhaps leading) before the first request
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        StepDown("this replica is shutting down");
        try
        {
            await leases.ReleaseAsync(LeaderLease, identity.Id, cancellationToken);
            await leases.ReleaseAsync(ReplicaLeasePrefix + identity.Id, identity.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReleaseFailed(logger, ex.Message); // the leases expire on their own
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RenewInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await TickAsync(stoppingToken);
        }
    }

    /// <summary>One round: renew this replica's liveness, then renew or try to take the leader lease.</summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        var attemptedAt = time.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Ttl); // a slow answer is still useful; the term's own deadline keeps leadership safe
        try
        {
            await leases.TryAcquireAsync(ReplicaLeasePrefix + identity.Id, identity.Id, Ttl, timeout.Token);
            bool leading;
            lock (_lock)
            {
                leading = _term is not null; // the term as held, even if its timer is late: renew it or step down
            }
            var holds = leading
                ? await leases.RenewAsync(LeaderLease, identity.Id, Ttl, timeout.Token)
                : await leases.TryAcquireAsync(LeaderLease, identity.Id, Ttl, timeout.Token);
            if (holds)
            {
                Lead(attemptedAt + Ttl);
                // Leases of replicas that died long ago mean nothing any more.
                await leases.PurgeExpiredAsync(attemptedAt - Ttl, timeout.Token);
            }
            else if (leading)
            {
                StepDown("its lease expired before it was renewed");
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RenewFailed(logger, ex.GetType().Name, ex.Message);
            bool expiring;
            lock (_lock)
            {
                expiring = _term is not null && time.GetUtcNow() >= _validUntil - RenewInterval;
            }
            if (expiring)
            {
                StepDown("the database did not answer in time to renew its lease");
            }
        }
    }

    /// <summary>
    /// Leads (or goes on leading) until <paramref name="validUntil"/>: the term ends by itself one renewal
    /// interval before that unless a later renewal extends it, even while a database call hangs.
    /// </summary>
    private void Lead(DateTimeOffset validUntil)
    {
        var deadline = validUntil - RenewInterval - time.GetUtcNow();
        CancellationTokenSource? started = null;
        lock (_lock)
        {
            _validUntil = validUntil;
            if (_term is null)
            {
                // On the injected clock, like every other deadline here (and a fake clock in tests).
                started = _term = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
                _leadership.TrySetResult(_term.Token);
            }
            _term.CancelAfter(deadline > TimeSpan.Zero ? deadline : TimeSpan.Zero);
        }
        if (started is not null)
        {
            started.Token.Register(() => StepDown("its lease was not renewed in time", started));
            Log.Leading(logger, identity.Id);
        }
    }

    /// <summary>Ends the current term (or only <paramref name="term"/>, when given and still current).</summary>
    private void StepDown(string reason, CancellationTokenSource? term = null)
    {
        lock (_lock)
        {
            if (_term is null || (term is not null && term != _term))
            {
                return;
            }
            term = _term;
            _term = null;
            _leadership = NewLeadership();
        }
        Log.SteppedDown(logger, identity.Id, reason);
        term.Cancel();
    }

    private static TaskCompletionSource<CancellationToken> NewLeadership() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Dispose()
    {
        StepDown("disposed");
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ReplicaJoined, Level = LogLevel.Information, Message = "Replica {Replica} joined; leases last {LeaseSeconds} s")]
        public static partial void Joined(ILogger logger, string replica, int leaseSeconds);

        [LoggerMessage(EventId = LogEvents.LeaderElected, Level = LogLevel.Information, Message = "Replica {Replica} is now the leader: background work runs here")]
        public static partial void Leading(ILogger logger, string replica);

        [LoggerMessage(EventId = LogEvents.LeaderSteppedDown, Level = LogLevel.Warning, Message = "Replica {Replica} stopped leading: {Reason}")]
        public static partial void SteppedDown(ILogger logger, string replica, string reason);

        [LoggerMessage(EventId = LogEvents.LeaseRenewFailed, Level = LogLevel.Warning, Message = "Could not renew leases ({Error}: {Message})")]
        public static partial void RenewFailed(ILogger logger, string error, string message);

        [LoggerMessage(EventId = LogEvents.LeaseReleaseFailed, Level = LogLevel.Warning, Message = "Could not release leases at shutdown; they expire on their own: {Message}")]
        public static partial void ReleaseFailed(ILogger logger, string message);
    }
}
