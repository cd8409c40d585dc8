using Npgsql;

namespace Outpost.Storage.Postgres;

/// <summary>
/// The shared PostgreSQL database of all replicas: one pooled data source, and the migrations applied
/// in one transaction under an advisory lock, so replicas that start together apply them once.
/// </summary>
public sealed class PostgresDatabase : IDatabase, IAsyncDisposable
{
    /// <summary>Advisory lock key (one-key space) held while migrating.</summary>
    private const long MigrationLock = 0x4F75_7470_6F73_7401; // "Outpost" + 1

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Location = LocationOf(builder);
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>host:port/database of a connection string, without its password.</summary>
    public static string LocationOf(NpgsqlConnectionStringBuilder builder) => $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";

    public string Provider => StorageOptions.Postgres;

    public string Location { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        _dataSource.OpenConnectionAsync(cancellationToken);

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await MigrationRunner.ApplyAsync(connection, Provider, cancellationToken, lockSql: $"SELECT pg_advisory_xact_lock({MigrationLock})");
    }

    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM schema_version"; // trivial, and fails when the schema is gone
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Network errors, timeouts and PostgreSQL's own transient states (starting up, too many connections).</summary>
    public bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient || npgsql is PostgresException { SqlState: "57P01" or "57P02" or "57P03" },
        TimeoutException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
