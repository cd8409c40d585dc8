using Dapper;

namespace Outpost.Storage.Postgres;

/// <summary><see cref="ILeaseStore"/> over PostgreSQL: one upsert per acquisition, conditional on holder or expiry.</summary>
public sealed class PostgresLeaseStore(PostgresDatabase database, TimeProvider time) : ILeaseStore
{
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        var won = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
            RETURNING holder
            """,
            new { name, holder, expires = now + ttl, now }, cancellationToken: cancellationToken));
        return won == holder;
    }

    public async Task<bool> RenewAsync(string name, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE leases SET expires_at = @expires WHERE name = @name AND holder = @holder AND expires_at > @now",
            new { name, holder, expires = now + ttl, now }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM leases WHERE name = @name AND holder = @holder", new { name, holder }, cancellationToken: cancellationToken));
    }

    public async Task<string?> FindHolderAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT holder FROM leases WHERE name = @name AND expires_at > @now",
            new { name, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
    }

    public async Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM leases WHERE expires_at < @before", new { before }, cancellationToken: cancellationToken));
    }
}
