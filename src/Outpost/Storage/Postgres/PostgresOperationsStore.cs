namespace Outpost.Storage.Postgres;

/// <summary><see cref="IOperationsStore"/> over PostgreSQL.</summary>
public sealed class PostgresOperationsStore(PostgresDatabase database) : IOperationsStore
{
    public async Task<IReadOnlyList<HubBacklog>> EventBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            "SELECT hub, COUNT(*)::int, MIN(created_at) FROM events GROUP BY hub ORDER BY hub",
            row => new HubBacklog(row.GetString(0), row.GetInt32(1), PostgresDialect.Utc(row.GetDateTime(2))),
            cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<LeaseRecord>> ListLeasesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            "SELECT name, holder, expires_at FROM leases ORDER BY name",
            row => new LeaseRecord(row.GetString(0), row.GetString(1), PostgresDialect.Utc(row.GetDateTime(2))),
            cancellationToken: cancellationToken);
    }
}
