using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Events;
using Outpost.Flavors;
using Outpost.Hosting;
using Outpost.Hubs;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Storage;
using Outpost.Tests.Fakes;
using Outpost.Tests.Storage;

namespace Outpost.Tests.Servers;

/// <summary>
/// The server services as <c>AddServers</c> registers them, over a real store of the test's database and a
/// <see cref="ScriptedBackend"/>: the two seams a server's life crosses. Hosted services are not started.
/// </summary>
internal sealed class ServersHarness : IAsyncDisposable
{
    private readonly TempDirectory _dataDir = new();
    private readonly ServiceProvider _services;

    public ServersHarness(StoreFixture db, Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Outpost:DataDir"] = _dataDir.Path, ["Outpost:StartTimeoutSeconds"] = "60" })
            .AddInMemoryCollection(settings ?? [])
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddOptions<OutpostOptions>().Bind(configuration.GetSection("Outpost"));
        services.AddOptions<HubsOptions>().Configure(o => configuration.GetSection("Outpost:Hubs").Bind(o.Hubs));
        services.AddSingleton<TimeProvider>(db.Time);
        services.AddSingleton(db.Servers);
        services.AddSingleton(db.Outbox);
        services.AddSingleton(db.Codec);
        services.AddSingleton<ILeadership>(new SingleReplica(db.Replica));
        services.AddSingleton<IHostApplicationLifetime>(Lifetime);
        services.AddSingleton(new ConfigFile(null));
        services.AddSingleton<OutpostMetrics>();
        services.AddSingleton(new BackendCatalog([Backend], Options.Create(new BackendsOptions { Default = ScriptedBackend.BackendName })));
        services.AddEvents(configuration);
        services.AddFlavors(configuration);
        services.AddServers(configuration);
        _services = services.BuildServiceProvider();
        Store = db.Servers;
    }

    public ScriptedBackend Backend { get; } = new();

    public TestLifetime Lifetime { get; } = new();

    public IServerStore Store { get; }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Waits until the stored server <paramref name="key"/> satisfies <paramref name="done"/> (20 s at most).</summary>
    public async Task<ServerRecord?> WaitForAsync(ServerKey key, Func<ServerRecord?, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var record = await Store.FindAsync(key, CancellationToken.None);
            if (done(record))
            {
                return record;
            }
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Stores a server of this backend and moves it to <paramref name="phase"/> (through Starting; Running with a handle).</summary>
    public async Task<ServerRecord> SeedAsync(StoreFixture db, ServerKey key, ServerPhase phase, string? error = null)
    {
        var spec = new ServerSpec
        {
            Name = key.Name,
            StartId = key.StartId,
            Env = new Dictionary<string, string> { ["JUPYTERHUB_USER"] = "alice", ["JUPYTERHUB_API_TOKEN"] = "token-of-alice" },
        };
        var id = (await Store.InsertAsync(new ServerRecord
        {
            Key = key,
            UserName = "alice",
            UserId = 17,
            Backend = ScriptedBackend.BackendName,
            ResourceName = $"res-{key.Name}",
            ProtectedSpec = db.Codec.Protect(spec),
        })).Inserted!.Id;
        if (phase != ServerPhase.Pending)
        {
            await Store.TransitionAsync(id, ServerPhase.Pending, ServerPhase.Starting, ServerChanges.None);
        }
        if (phase is ServerPhase.Running or ServerPhase.Stopping or ServerPhase.Stopped)
        {
            await Store.TransitionAsync(id, ServerPhase.Starting, ServerPhase.Running, new ServerChanges { Handle = new BackendHandle($"handle-of-{key.Name}") });
        }
        if (phase is ServerPhase.Stopping or ServerPhase.Stopped)
        {
            await Store.TransitionAsync(id, ServerPhase.Running, phase, new ServerChanges { Error = error });
        }
        if (phase == ServerPhase.Failed)
        {
            await Store.TransitionAsync(id, ServerPhase.Starting, ServerPhase.Failed, new ServerChanges { Error = error });
        }
        return (await Store.FindByIdAsync(id))!;
    }

    public async ValueTask DisposeAsync()
    {
        Lifetime.Stop();
        await _services.DisposeAsync();
        _dataDir.Dispose();
    }

    /// <summary>An application lifetime the test can end.</summary>
    internal sealed class TestLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stop();

        public void Stop() => _stopping.Cancel();
    }
}
