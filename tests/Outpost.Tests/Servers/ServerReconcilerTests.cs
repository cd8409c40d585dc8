using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Storage;
using Outpost.Tests.Fakes;
using Outpost.Tests.Storage;
using Outpost.Tests.Storage.Sqlite;

namespace Outpost.Tests.Servers;

public sealed class ServerReconcilerTests : StoreTests<SqliteStoreFixture>
{
    [Fact]
    public async Task ReconcileAsync_FirstPass_AdoptsRunningServersAndLogsHowMany()
    {
        var (reconciler, store, backend, logger) = await CreateWithRunningServersAsync(3);

        await reconciler.ReconcileAsync(adoptRunning: true, CancellationToken.None);

        Assert.Equal(3, backend.StatusCalls);
        Assert.Contains(ServerPhase.Running, store.PhasesAsked.Single());
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message == "Adopted 3 running servers");
        // One line per server ("Adopted hub1/poll0/0 (Running)"), at Debug only: at Information they would fill the log.
        var perServer = logger.Entries.Where(e => e.Message.StartsWith("Adopted hub1/poll", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, perServer.Count);
        Assert.All(perServer, e => Assert.Equal(LogLevel.Debug, e.Level));
    }

    [Fact]
    public async Task ReconcileAsync_LaterPasses_DoNotReadRunningServers()
    {
        var (reconciler, store, backend, _) = await CreateWithRunningServersAsync(3);

        await reconciler.ReconcileAsync(adoptRunning: false, CancellationToken.None);

        Assert.Equal(0, backend.StatusCalls);
        Assert.Equal([ServerPhase.Pending, ServerPhase.Starting, ServerPhase.Stopping], store.PhasesAsked.Single().Order());
    }

    [Fact]
    public async Task SweepOrphansAsync_GivesEverySweeperTheHandlesOfUnfinishedServers_OneFailureDoesNotStopTheOthers()
    {
        var (_, store, backend, logger) = await CreateWithRunningServersAsync(2);
        var failing = new RecordingSweeper(fail: true);
        var working = new RecordingSweeper(fail: false);
        var reconciler = new ServerReconciler(store, recovery: null!, new BackendCatalog([backend], Options.Create(new BackendsOptions())),
            [failing, working], new SingleReplica(Db.Replica), Options.Create(new ReplicasOptions()), Db.Time, logger);

        await reconciler.SweepOrphansAsync(CancellationToken.None);

        Assert.Equal(2, failing.Owned?.Count);
        Assert.Equal(["{}", "{}"], working.Owned!.Select(h => h.Data));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Could not sweep for orphans of RecordingSweeper", StringComparison.Ordinal));
    }

    private sealed class RecordingSweeper(bool fail) : IOrphanSweeper
    {
        public IReadOnlyCollection<BackendHandle>? Owned { get; private set; }

        public Task<IReadOnlyList<string>> SweepOrphansAsync(IReadOnlyCollection<BackendHandle> owned, CancellationToken cancellationToken)
        {
            Owned = owned;
            return fail ? throw new InvalidOperationException("engine down") : Task.FromResult<IReadOnlyList<string>>([]);
        }
    }

    private async Task<(ServerReconciler, RecordingStore, CountingBackend, RecordingLogger<ServerReconciler>)> CreateWithRunningServersAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var outcome = await Db.Servers.InsertAsync(new ServerRecord
            {
                Key = new ServerKey("hub1", $"poll{i}", "0"),
                UserName = "alice",
                UserId = 17,
                Backend = CountingBackend.BackendName,
                ResourceName = $"res-{i}",
                ProtectedSpec = Db.Codec.Protect(new ServerSpec { Name = $"poll{i}", StartId = "0", Env = new Dictionary<string, string>() }),
            });
            var id = outcome.Inserted!.Id;
            await Db.Servers.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None);
            await Db.Servers.TransitionAsync(id, ServerPhase.Starting, ServerPhase.Running, new ServerChanges { Handle = new BackendHandle("{}") });
        }
        var store = new RecordingStore(Db.Servers);
        var backend = new CountingBackend();
        var backends = new BackendCatalog([backend], Options.Create(new BackendsOptions()));
        var logger = new RecordingLogger<ServerReconciler>();
        // Recovery is only needed for starts and stops whose replica is gone; all rows here are this replica's.
        var reconciler = new ServerReconciler(store, recovery: null!, backends, [], new SingleReplica(Db.Replica),
            Options.Create(new ReplicasOptions()), Db.Time, logger);
        return (reconciler, store, backend, logger);
    }

    private sealed class CountingBackend : IBackend
    {
        public const string BackendName = "Counting";
        private int _statusCalls;

        public string Name => BackendName;

        public int StatusCalls => Volatile.Read(ref _statusCalls);

        public Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _statusCalls);
            return Task.FromResult(BackendStatus.Running);
        }

        public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);
    }

    /// <summary>The real store, recording which phases the reconciler lists.</summary>
    private sealed class RecordingStore(IServerStore inner) : IServerStore
    {
        public List<ServerPhase[]> PhasesAsked { get; } = [];

        public Task<IReadOnlyList<ServerRecord>> ListByPhaseAsync(IReadOnlyCollection<ServerPhase> phases, CancellationToken cancellationToken = default)
        {
            PhasesAsked.Add([.. phases]);
            return inner.ListByPhaseAsync(phases, cancellationToken);
        }

        public Task<ServerRecord?> FindAsync(ServerKey key, CancellationToken cancellationToken = default) => inner.FindAsync(key, cancellationToken);

        public Task<ServerRecord?> FindByIdAsync(long id, CancellationToken cancellationToken = default) => inner.FindByIdAsync(id, cancellationToken);

        public Task<IReadOnlyList<ServerRecord>> ListAsync(string hub, CancellationToken cancellationToken = default) => inner.ListAsync(hub, cancellationToken);

        public Task<InsertOutcome> InsertAsync(ServerRecord server, ServerQuota? quota = null, CancellationToken cancellationToken = default) =>
            inner.InsertAsync(server, quota, cancellationToken);

        public Task<IReadOnlyDictionary<string, int>> CountActiveByFlavorAsync(string hub, CancellationToken cancellationToken = default) =>
            inner.CountActiveByFlavorAsync(hub, cancellationToken);

        public Task<IReadOnlyList<ServerRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
            inner.ListExpiredAsync(now, limit, cancellationToken);

        public Task<bool> TransitionAsync(long id, ServerPhase from, ServerPhase to, ServerChanges changes, CancellationToken cancellationToken = default) =>
            inner.TransitionAsync(id, from, to, changes, cancellationToken);

        public Task SaveHandleAsync(long id, BackendHandle handle, CancellationToken cancellationToken = default) => inner.SaveHandleAsync(id, handle, cancellationToken);

        public Task DeleteAsync(long id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

        public Task<IReadOnlyList<(string Backend, ServerPhase Phase, int Count)>> CountAsync(CancellationToken cancellationToken = default) => inner.CountAsync(cancellationToken);
    }
}
