namespace Outpost.Storage;

/// <summary>Options bound to <c>Outpost:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>"Sqlite" (default: a file in the data folder, no setup, one process) or "Postgres" (several replicas).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// ADO.NET connection string. Default for SQLite: <c>Data Source={DataDir}/outpost.db</c>.
    /// Required for PostgreSQL (Npgsql form, e.g. <c>Host=db;Port=5432;Database=outpost;Username=outpost;Password=…</c>);
    /// give it as the environment variable <c>Outpost__Storage__ConnectionString</c> from a secret.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Base64 of a 32-byte AES key that encrypts secrets at rest. When empty, a key is generated once
    /// into <c>{DataDir}/secret.key</c> (mode 0600) and reused. Required with PostgreSQL: every replica
    /// must use the same key.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// How long start-up waits for the database to become reachable, in seconds, retrying with backoff;
    /// then start-up fails. Default 60.
    /// </summary>
    public int StartupTimeoutSeconds { get; set; } = 60;

    public bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);
}
