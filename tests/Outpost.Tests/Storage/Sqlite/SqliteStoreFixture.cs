using Outpost.Replicas;
using Outpost.Storage;
using Outpost.Storage.Sqlite;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Storage.Sqlite;

/// <summary>A migrated SQLite file in a temp folder.</summary>
public sealed class SqliteStoreFixture : StoreFixture
{
    private readonly TempDirectory _temp = new();

    public SqliteStoreFixture()
    {
        DatabaseFile = _temp.File("outpost.db");
        Database = new SqliteDatabase($"Data Source={DatabaseFile}");
    }

    public string DatabaseFile { get; }

    public SqliteDatabase Database { get; }

    public override IServerStore ServersOf(ReplicaIdentity replica) => new SqliteServerStore(Database, Codec, replica, Time);

    public override ILeaseStore CreateLeaseStore(TimeProvider time) => new SqliteLeaseStore(Database, time);

    /// <summary>Every byte SQLite wrote: the main file and the write-ahead log.</summary>
    public override Task<byte[]> RawBytesAsync()
    {
        var bytes = new List<byte>();
        foreach (var file in new[] { DatabaseFile, DatabaseFile + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes.AddRange(copy.ToArray());
        }
        return Task.FromResult(bytes.ToArray());
    }

    public override ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    protected override Task CreateAsync() => Database.MigrateAsync();

    protected override IEventOutbox CreateOutbox() => new SqliteEventOutbox(Database, Protector, Time);

    protected override IHubStore CreateHubStore() => new SqliteHubStore(Database, Time);

    protected override IOperationsStore CreateOperationsStore() => new SqliteOperationsStore(Database);
}
