namespace Outpost.Storage.Sqlite;

/// <summary><see cref="ILeaseStore"/> over SQLite: one upsert per acquisition, conditional on holder or expiry.</summary>
public sealed class SqliteLeaseStore(SqliteDatabase database, TimeProvider time) : ILeaseStore
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var won = await database.WriteAsync(connection => connection.ExecuteScalarAsync<string?>(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
            RETURNING holder
            """,
            [("@name", name), ("@holder", holder), ("@expires", SqliteDialect.Format(now + ttl)), ("@now", SqliteDialect.Format(now))]), cancellationToken);
        return won == holder;
    }

    public async Task<bool> RenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return await database.WriteAsync(connection => connection.ExecuteAsync(
            "UPDATE leases SET expires_at = @expires WHERE name = @name AND holder = @holder AND expires_at > @now",
            [("@name", name), ("@holder", holder), ("@expires", SqliteDialect.Format(now + ttl)), ("@now", SqliteDialect.Format(now))]), cancellationToken) == 1;
    }

    public Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(
            "DELETE FROM leases WHERE name = @name AND holder = @holder", [("@name", name), ("@holder", holder)]), cancellationToken);

    public async Task<string?> FindHolderAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(
            "SELECT holder FROM leases WHERE name = @name AND expires_at > @now",
            [("@name", name), ("@now", SqliteDialect.Format(time.GetUtcNow()))]);
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => connection.ExecuteAsync(
            "DELETE FROM leases WHERE expires_at < @before", [("@before", SqliteDialect.Format(before))]), cancellationToken);
}
