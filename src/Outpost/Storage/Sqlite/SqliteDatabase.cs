using Microsoft.Data.Sqlite;

namespace Outpost.Storage.Sqlite;

/// <summary>
/// Opens connections to the Outpost's SQLite file (WAL, pooled) and creates the schema. Reads run on as
/// many connections as callers; writes take turns through <see cref="WriteAsync{T}"/>.
/// </summary>
public sealed class SqliteDatabase(string connectionString) : IDatabase
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString)
    {
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    // SQLite lets one connection write at a time. Two writers at once make one of them wait in
    // Microsoft.Data.Sqlite's busy loop, which retries every 150 ms with Thread.Sleep on a thread-pool
    // thread: 200 concurrent starts then take seconds and starve the pool. Taking turns here, without
    // blocking a thread, makes every write run at once when its turn comes.
    private readonly SemaphoreSlim _writer = new(1, 1);

    public string Provider => StorageOptions.Sqlite;

    public string Location => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>Opens a connection for reading (or for a write that <see cref="WriteAsync{T}"/> already serializes).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // Both per connection, not per file. In WAL mode NORMAL syncs at checkpoints instead of every
            // commit: a commit survives a crash of the process (kill -9), only a power loss may undo the last ones.
            // The page cache of each pooled connection is capped at 512 KiB (SQLite's default is 2 MiB): the file
            // is in the OS's cache anyway, and with a dozen pooled connections 2 MiB each grew the Outpost's
            // resident memory with the number of stored servers (polls answer from memory, not from these pages).
            pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-512";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="write"/> on its own connection once no other write of this process runs; what it
    /// commits is committed when the returned task completes.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, Task<T>> write, CancellationToken cancellationToken = default)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            return await write(connection);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc cref="WriteAsync{T}"/>
    public Task WriteAsync(Func<SqliteConnection, Task> write, CancellationToken cancellationToken = default) =>
        WriteAsync(async connection => { await write(connection); return true; }, cancellationToken);

    public Task MigrateAsync(CancellationToken cancellationToken = default) => WriteAsync(async connection =>
    {
        await using (var pragma = connection.CreateCommand())
        {
            // WAL (a property of the file) lets polls read while a start writes.
            pragma.CommandText = "PRAGMA journal_mode=WAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        await MigrationRunner.ApplyAsync(connection, Provider, cancellationToken);
    }, cancellationToken);

    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM schema_version"; // trivial, and fails when the schema is gone
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>A local file is there or not; waiting does not help.</summary>
    public bool IsTransient(Exception exception) => false;
}
