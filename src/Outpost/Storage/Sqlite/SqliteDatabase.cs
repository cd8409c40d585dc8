using Microsoft.Data.Sqlite;

namespace Outpost.Storage.Sqlite;

/// <summary>Opens connections to the Outpost's SQLite file (WAL, pooled) and creates the schema.</summary>
public sealed class SqliteDatabase(string connectionString)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString)
    {
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            // WAL lets polls read while a start writes; NORMAL sync is durable across process crashes.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        await MigrationRunner.ApplyAsync(connection, "Sqlite", cancellationToken);
    }
}
