using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Outpost.Storage.Postgres;

namespace Outpost.Storage;

/// <summary>
/// The configured database opened for reading only, creating nothing: what <c>outpost check</c> looks at. A
/// SQLite file that does not exist is not created, and one without a <c>-wal</c> file is opened immutable, because
/// a plain read-only open of a WAL database would leave new <c>-wal</c> and <c>-shm</c> files behind. PostgreSQL
/// sessions are switched to read-only transactions before anything else runs.
/// </summary>
public static class ReadOnlyDatabase
{
    /// <summary>The SQLite connection string the Outpost uses: configured, or <c>{DataDir}/outpost.db</c>.</summary>
    public static string SqliteConnectionString(StorageOptions storage, string dataDir) =>
        storage.ConnectionString ?? $"Data Source={Path.Combine(dataDir, "outpost.db")}";

    /// <summary>Where the database is, safe to print (never a password), as <see cref="IDatabase.Location"/> says it.</summary>
    public static string Location(StorageOptions storage, string dataDir) => storage.IsPostgres
        ? PostgresDatabase.LocationOf(new NpgsqlConnectionStringBuilder(storage.ConnectionString ?? ""))
        : new SqliteConnectionStringBuilder(SqliteConnectionString(storage, dataDir)).DataSource;

    /// <summary>A read-only connection, or null when the SQLite file does not exist (yet).</summary>
    public static async Task<DbConnection?> OpenAsync(StorageOptions storage, string dataDir, CancellationToken cancellationToken = default)
    {
        if (storage.IsPostgres)
        {
            var postgres = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(storage.ConnectionString ?? "") { Pooling = false }.ToString());
            try
            {
                await postgres.OpenAsync(cancellationToken);
                await postgres.ExecuteAsync("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", cancellationToken: cancellationToken);
                return postgres;
            }
            catch
            {
                await postgres.DisposeAsync();
                throw;
            }
        }
        var builder = new SqliteConnectionStringBuilder(SqliteConnectionString(storage, dataDir)) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var file = builder.DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || file.StartsWith("file:", StringComparison.Ordinal) || !File.Exists(file))
        {
            return null;
        }
        if (!File.Exists(file + "-wal"))
        {
            // No writer has it open: immutable takes no locks and needs no -shm, so nothing is written beside it.
            builder.DataSource = new Uri(Path.GetFullPath(file)).AbsoluteUri + "?immutable=1";
        }
        var sqlite = new SqliteConnection(builder.ToString());
        try
        {
            await sqlite.OpenAsync(cancellationToken);
            return sqlite;
        }
        catch
        {
            await sqlite.DisposeAsync();
            throw;
        }
    }
}
