namespace Outpost.Storage;

/// <summary>Options bound to <c>Outpost:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>"Sqlite" (default: a file in the data folder, no setup) or "Postgres" (several replicas).</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>
    /// ADO.NET connection string. Default for SQLite: <c>Data Source={DataDir}/outpost.db</c>.
    /// Required for PostgreSQL.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Base64 of a 32-byte AES key that encrypts secrets at rest. When empty, a key is generated once
    /// into <c>{DataDir}/secret.key</c> (mode 0600) and reused.
    /// </summary>
    public string? EncryptionKey { get; set; }
}
