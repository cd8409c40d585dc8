using System.Security.Cryptography;
using Outpost.Storage;
using Outpost.Storage.Sqlite;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Storage.Sqlite;

/// <summary>A migrated SQLite file in a temp folder, with the codec and a fake clock; one per test.</summary>
public sealed class SqliteStoreFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();

    public SqliteStoreFixture()
    {
        DatabaseFile = _temp.File("outpost.db");
        Database = new SqliteDatabase($"Data Source={DatabaseFile}");
        Protector = new SecretProtector(RandomNumberGenerator.GetBytes(32));
        Codec = new ServerSpecCodec(Protector);
    }

    public string DatabaseFile { get; }

    public SqliteDatabase Database { get; }

    public SecretProtector Protector { get; }

    public ServerSpecCodec Codec { get; }

    public FakeTimeProvider Time { get; } = new();

    public Task InitializeAsync() => Database.MigrateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Every byte SQLite wrote: the main file and the write-ahead log.</summary>
    public byte[] RawBytes()
    {
        var bytes = new List<byte>();
        foreach (var file in new[] { DatabaseFile, DatabaseFile + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes.AddRange(copy.ToArray());
        }
        return [.. bytes];
    }

    public void Dispose() => _temp.Dispose();
}
