using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Outpost.Replicas;
using Outpost.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Replicas;

/// <summary>Leadership over a real lease table (SQLite file) and a fake clock; each test drives the renewal rounds by hand.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private readonly SqliteStoreFixture _db = new();
    private readonly List<LeaderElection> _elections = [];

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var election in _elections)
        {
            election.Dispose();
        }
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task TickAsync_TwoReplicas_OneLeadsAndBothAreAlive()
    {
        var (a, b) = (Replica("a"), Replica("b"));

        await a.TickAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);

        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.True(await a.IsAliveAsync("b", CancellationToken.None));
        Assert.True(await b.IsAliveAsync("a", CancellationToken.None));
        Assert.False(await a.IsAliveAsync("c", CancellationToken.None));
        Assert.False(await a.IsAliveAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task TickAsync_LeaderStopsRenewing_AnotherLeadsOnceTheLeaseExpires_AndTheOldOneStepsDown()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        await a.TickAsync(CancellationToken.None);

        _db.Time.Advance(TimeSpan.FromSeconds(9));
        await b.TickAsync(CancellationToken.None);
        Assert.False(b.IsLeader);

        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await b.TickAsync(CancellationToken.None);
        Assert.True(b.IsLeader);
        Assert.False(await b.IsAliveAsync("a", CancellationToken.None));

        await a.TickAsync(CancellationToken.None);
        Assert.False(a.IsLeader);
    }

    [Fact]
    public async Task TickAsync_LeaderRenewing_KeepsLeading()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        for (var i = 0; i < 10; i++)
        {
            await a.TickAsync(CancellationToken.None);
            await b.TickAsync(CancellationToken.None);
            _db.Time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
    }

    [Fact]
    public async Task StopAsync_Leader_ReleasesSoAnotherLeadsAtOnce()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        await a.TickAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);

        await a.StopAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);

        Assert.False(a.IsLeader);
        Assert.True(b.IsLeader);
        Assert.False(await b.IsAliveAsync("a", CancellationToken.None));
    }

    [Fact]
    public async Task TickAsync_DatabaseUnreachable_LeaderStepsDownOneRenewalBeforeItsLeaseExpires()
    {
        var leases = new SwitchableLeaseStore(_db.Leases);
        var a = Replica("a", leases);
        await a.TickAsync(CancellationToken.None);
        leases.Failing = true;

        _db.Time.Advance(TimeSpan.FromSeconds(7));
        await a.TickAsync(CancellationToken.None);
        Assert.True(a.IsLeader);

        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await a.TickAsync(CancellationToken.None);
        Assert.False(a.IsLeader);
    }

    [Fact]
    public async Task IsLeader_TermPastItsEnd_IsFalseEvenBeforeItsTimerRuns()
    {
        // A starved process runs the term's timer late; /metrics and /health must not claim leadership meanwhile.
        var a = Replica("a", time: new LateTimers(_db.Time));
        await a.TickAsync(CancellationToken.None);
        Assert.True(a.IsLeader);
        _db.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(a.IsLeader);
        await a.TickAsync(CancellationToken.None); // the lease expired: it steps down for good
        Assert.False(a.IsLeader);
        await a.TickAsync(CancellationToken.None); // and, as nobody else holds it, takes it again
        Assert.True(a.IsLeader);
    }

    [Fact]
    public async Task RunWhileLeaderAsync_WorkRunsOnlyWhileLeading_AndStartsAgainAfterLeadershipReturns()
    {
        var (a, b) = (Replica("a"), Replica("b"));
        await a.TickAsync(CancellationToken.None);
        var runs = 0;
        var running = new SemaphoreSlim(0);
        var cancelled = new SemaphoreSlim(0);
        using var stopping = new CancellationTokenSource();
        var loop = b.RunWhileLeaderAsync(async token =>
        {
            Interlocked.Increment(ref runs);
            running.Release();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                cancelled.Release();
            }
        }, stopping.Token);

        await b.TickAsync(CancellationToken.None); // a holds the lease: b's try leaves it a follower, its work unstarted
        Assert.False(b.IsLeader);
        Assert.Equal(0, runs);

        await a.StopAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);
        Assert.True(await running.WaitAsync(TimeSpan.FromSeconds(5)));

        // b loses the lease (it did not renew in time) and c takes it: b's work is cancelled.
        _db.Time.Advance(TimeSpan.FromSeconds(10));
        var c = Replica("c");
        await c.TickAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);
        Assert.False(b.IsLeader);
        Assert.True(await cancelled.WaitAsync(TimeSpan.FromSeconds(5)));

        await c.StopAsync(CancellationToken.None);
        await b.TickAsync(CancellationToken.None);
        Assert.True(await running.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, runs);

        await stopping.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Leader_WithoutARenewalRound_StepsDownByItselfOneIntervalBeforeExpiry()
    {
        var a = Replica("a", leaseSeconds: 3, renewSeconds: 1);
        await a.TickAsync(CancellationToken.None);
        Assert.True(a.IsLeader);
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopping = new CancellationTokenSource();
        var loop = a.RunWhileLeaderAsync(token =>
        {
            started.TrySetResult(token);
            return Task.Delay(Timeout.Infinite, token);
        }, stopping.Token);
        var term = await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // The term's timer runs on the injected clock: it ends the work without any renewal round.
        _db.Time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(term.IsCancellationRequested);
        Assert.True(a.IsLeader);
        _db.Time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(term.IsCancellationRequested);
        Assert.False(a.IsLeader);

        await stopping.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RunWhileLeaderAsync_WorkEndsOnItsOwn_Returns()
    {
        var a = Replica("a");
        await a.TickAsync(CancellationToken.None);

        await a.RunWhileLeaderAsync(_ => Task.CompletedTask, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    private LeaderElection Replica(string id, ILeaseStore? leases = null, int leaseSeconds = 10, int renewSeconds = 2, TimeProvider? time = null)
    {
        var election = new LeaderElection(
            leases ?? _db.Leases,
            new ReplicaIdentity(id),
            Options.Create(new ReplicasOptions { LeaseSeconds = leaseSeconds, RenewSeconds = renewSeconds }),
            time ?? _db.Time,
            NullLogger<LeaderElection>.Instance);
        _elections.Add(election);
        return election;
    }

    /// <summary>The fake clock's time with timers that do not follow it, as in a process too starved to run them.</summary>
    private sealed class LateTimers(FakeTimeProvider clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();
    }

    /// <summary>A lease store that can be made to fail like an unreachable database.</summary>
    private sealed class SwitchableLeaseStore(ILeaseStore inner) : ILeaseStore
    {
        public bool Failing { get; set; }

        public Task<bool> TryAcquireAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            Failing ? throw new TimeoutException("unreachable") : inner.TryAcquireAsync(name, holder, ttl, cancellationToken);

        public Task<bool> RenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            Failing ? throw new TimeoutException("unreachable") : inner.RenewAsync(name, holder, ttl, cancellationToken);

        public Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default) => inner.ReleaseAsync(name, holder, cancellationToken);

        public Task<string?> FindHolderAsync(string name, CancellationToken cancellationToken = default) => inner.FindHolderAsync(name, cancellationToken);

        public Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => inner.PurgeExpiredAsync(before, cancellationToken);
    }
}
