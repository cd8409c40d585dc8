namespace Outpost.Storage.Postgres;

/// <summary><see cref="ILeaseStore"/> over PostgreSQL: one upsert per acquisition, conditional on holder or expiry.</summary>
public sealed class PostgresLeaseStore(PostgresDatabase database, TimeProvider time) : ILeaseStore
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        var won = await connection.ExecuteScalarAsync<string?>(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
            RETURNING holder
            """,
            [("@name", name), ("@holder", holder), ("@expires", now + ttl), ("@now", now)], cancellationToken: cancellationToken);
        return won == holder;
    }

    public async Task<bool> RenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await connection.ExecuteAsync(
            "UPDATE leases SET expires_at = @expires WHERE name = @name AND holder = @holder AND expires_at > @now",
            [("@name", name), ("@holder", holder), ("@expires", now + ttl), ("@now", now)], cancellationToken: cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "DELETE FROM leases WHERE name = @name AND holder = @holder", [("@name", name), ("@holder", holder)], cancellationToken: cancellationToken);
    }

    public async Task<string?> FindHolderAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(
            "SELECT holder FROM leases WHERE name = @name AND expires_at > @now",
            [("@name", name), ("@now", time.GetUtcNow())], cancellationToken: cancellationToken);
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM leases WHERE expires_at < @before", [("@before", before)], cancellationToken: cancellationToken);
    }
}
