using Microsoft.Data.Sqlite;

namespace Outpost.Storage.Sqlite;

/// <summary>Opens connections to the Outpost's SQLite file (WAL, pooled) and creates the schema.</summary>
public sealed class SqliteDatabase(string connectionString) : IDatabase
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString)
    {
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string Provider => StorageOptions.Sqlite;

    public string Location => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // Per connection, not per file. In WAL mode NORMAL syncs at checkpoints instead of every
            // commit: a commit survives a crash of the process (kill -9), only a power loss may undo the last ones.
            pragma.CommandText = "PRAGMA synchronous=NORMAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return connection;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // WAL (a property of the file) lets polls read while a start writes.
            pragma.CommandText = "PRAGMA journal_mode=WAL";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        await MigrationRunner.ApplyAsync(connection, Provider, cancellationToken);
    }

    /// <summary>A local file is there or not; waiting does not help.</summary>
    public bool IsTransient(Exception exception) => false;
}
