namespace Outpost.Storage.Sqlite;

/// <summary><see cref="IHubStore"/> over SQLite.</summary>
public sealed class SqliteHubStore(SqliteDatabase database, TimeProvider time) : IHubStore
{
    public async Task<string?> FindPasswordHashAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>("SELECT password_hash FROM hubs WHERE name = @hub", [("@hub", hub)]);
    }

    public Task SetPasswordHashAsync(string hub, string passwordHash, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(
            """
            INSERT INTO hubs (name, password_hash, created_at) VALUES (@hub, @passwordHash, @now)
            ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash
            """,
            [("@hub", hub), ("@passwordHash", passwordHash), ("@now", SqliteDialect.Format(time.GetUtcNow()))]), cancellationToken);

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync("SELECT name FROM hubs ORDER BY name", row => row.GetString(0));
    }
}
