using System.Security.Cryptography;
using Outpost.Replicas;
using Outpost.Storage;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Storage;

/// <summary>
/// A fresh, migrated database of one provider with every store over it, the codec and a fake clock;
/// one per test. The stores act as replica <see cref="Replica"/>; <see cref="ServersOf"/> gives another
/// replica's view of the same database.
/// </summary>
public abstract class StoreFixture : IAsyncDisposable
{
    protected StoreFixture()
    {
        Protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));
        Codec = new ServerSpecCodec(Protector);
    }

    public SecretProtector Protector { get; }

    public ServerSpecCodec Codec { get; }

    public FakeTimeProvider Time { get; } = new();

    public ReplicaIdentity Replica { get; } = new("replica-a");

    public IServerStore Servers { get; private set; } = null!;

    public IEventOutbox Outbox { get; private set; } = null!;

    public IHubStore Hubs { get; private set; } = null!;

    public ILeaseStore Leases { get; private set; } = null!;

    public IOperationsStore Operations { get; private set; } = null!;

    /// <summary>Creates the database and applies the migrations.</summary>
    public async Task InitializeAsync()
    {
        await CreateAsync();
        Servers = ServersOf(Replica);
        Outbox = CreateOutbox();
        Hubs = CreateHubStore();
        Leases = CreateLeaseStore(Time);
        Operations = CreateOperationsStore();
    }

    /// <summary>The server store as another replica sees (and writes) the same database.</summary>
    public abstract IServerStore ServersOf(ReplicaIdentity replica);

    /// <summary>A lease store over the same database with its own clock.</summary>
    public abstract ILeaseStore CreateLeaseStore(TimeProvider time);

    /// <summary>Every byte of stored data, to prove what is not stored in plaintext.</summary>
    public abstract Task<byte[]> RawBytesAsync();

    public abstract ValueTask DisposeAsync();

    protected abstract Task CreateAsync();

    protected abstract IEventOutbox CreateOutbox();

    protected abstract IHubStore CreateHubStore();

    protected abstract IOperationsStore CreateOperationsStore();
}
