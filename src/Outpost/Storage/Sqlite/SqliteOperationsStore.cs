namespace Outpost.Storage.Sqlite;

/// <summary><see cref="IOperationsStore"/> over SQLite (timestamps are fixed-width ISO text, so MIN orders them).</summary>
public sealed class SqliteOperationsStore(SqliteDatabase database) : IOperationsStore
{
    public async Task<IReadOnlyList<HubBacklog>> EventBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            "SELECT hub, COUNT(*), MIN(created_at) FROM events GROUP BY hub ORDER BY hub",
            row => new HubBacklog(row.GetString(0), (int)row.GetInt64(1), SqliteDialect.Parse(row.GetString(2))),
            cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<LeaseRecord>> ListLeasesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            "SELECT name, holder, expires_at FROM leases ORDER BY name",
            row => new LeaseRecord(row.GetString(0), row.GetString(1), SqliteDialect.Parse(row.GetString(2))),
            cancellationToken: cancellationToken);
    }
}
