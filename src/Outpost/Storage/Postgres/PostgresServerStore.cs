using System.Data.Common;
using Outpost.Backends;
using Outpost.Replicas;
using Outpost.Servers;

namespace Outpost.Storage.Postgres;

/// <summary>
/// <see cref="IServerStore"/> over PostgreSQL, shared by every replica. Inserts of one hub take turns
/// under a transaction-scoped advisory lock, so the duplicate check, the replacement of an ended server
/// and the quota counts see every insert another replica committed; transitions are conditional updates.
/// </summary>
public sealed class PostgresServerStore(PostgresDatabase database, ServerSpecCodec codec, ReplicaIdentity replica, TimeProvider time) : IServerStore
{
    /// <summary>First key of the two-key advisory locks that serialize inserts per hub.</summary>
    private const int HubInsertLock = 0x4F50_0001;

    /// <summary>The columns <see cref="ToRecord"/> reads, in its order.</summary>
    private const string Columns = """
        id, hub, name, start_id, user_name, user_id, backend, flavor, resource_name, phase, spec,
        handle, service_address, exit_code, error, start_date, end_date, last_update, owner
        """;

    /// <summary>Phases that count against limits: a stopping server's resources are already being released.</summary>
    private const string CountedPhases = "'Pending', 'Starting', 'Running'";

    public async Task<ServerRecord?> FindAsync(ServerKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync(
            $"SELECT {Columns} FROM servers WHERE hub = @Hub AND name = @Name AND start_id = @StartId", ToRecord,
            [("@Hub", key.Hub), ("@Name", key.Name), ("@StartId", key.StartId)]);
    }

    public async Task<ServerRecord?> FindByIdAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync($"SELECT {Columns} FROM servers WHERE id = @id", ToRecord, [("@id", id)]);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync($"SELECT {Columns} FROM servers WHERE hub = @hub ORDER BY id", ToRecord, [("@hub", hub)]);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListByPhaseAsync(IReadOnlyCollection<ServerPhase> phases, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var names = phases.Select(p => p.ToString()).ToArray();
        // PostgreSQL takes the list as one text[] parameter.
        return await connection.QueryAsync($"SELECT {Columns} FROM servers WHERE phase = ANY(@names) ORDER BY id", ToRecord, [("@names", names)]);
    }

    public async Task<InsertOutcome> InsertAsync(ServerRecord server, ServerQuota? quota = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var key = server.Key;
        // Read committed: every statement after the lock sees what earlier holders committed.
        // Both keys are int4: pg_advisory_xact_lock(int, int).
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@HubInsertLock, hashtext(@Hub))", [("@HubInsertLock", HubInsertLock), ("@Hub", key.Hub)], transaction);
        var existing = await connection.QuerySingleOrDefaultAsync(
            $"SELECT {Columns} FROM servers WHERE hub = @Hub AND name = @Name AND start_id = @StartId FOR UPDATE", ToRecord,
            [("@Hub", key.Hub), ("@Name", key.Name), ("@StartId", key.StartId)], transaction);
        if (existing is { } record)
        {
            if (record.Phase.IsActive())
            {
                return new InsertOutcome(null, record);
            }
            await connection.ExecuteAsync("DELETE FROM servers WHERE id = @Id", [("@Id", record.Id)], transaction);
        }
        if (quota is { IsUnlimited: false } && await ExceededAsync(connection, transaction, server, quota) is { } exceeded)
        {
            return new InsertOutcome(null, null, exceeded);
        }
        var now = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO servers (hub, name, start_id, user_name, user_id, backend, flavor, resource_name, phase, spec,
                                 start_date, end_date, last_update, owner)
            VALUES (@Hub, @Name, @StartId, @UserName, @UserId, @Backend, @Flavor, @ResourceName, @Phase, @Spec,
                    @Now, @EndDate, @Now, @Owner)
            RETURNING id
            """,
            [
                ("@Hub", key.Hub), ("@Name", key.Name), ("@StartId", key.StartId), ("@UserName", server.UserName),
                ("@UserId", server.UserId), ("@Backend", server.Backend), ("@Flavor", server.Flavor),
                ("@ResourceName", server.ResourceName), ("@Phase", ServerPhase.Pending.ToString()), ("@Spec", server.ProtectedSpec),
                ("@Now", now), ("@EndDate", server.EndDate), ("@Owner", replica.Id),
            ],
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return new InsertOutcome(server with { Id = id, Phase = ServerPhase.Pending, StartDate = now, LastUpdate = now, Owner = replica.Id }, null);
    }

    public async Task<IReadOnlyDictionary<string, int>> CountActiveByFlavorAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync(
            $"SELECT flavor, COUNT(*)::int FROM servers WHERE hub = @hub AND flavor IS NOT NULL AND phase IN ({CountedPhases}) GROUP BY flavor",
            row => (Flavor: row.GetString(0), Count: row.GetInt32(1)), [("@hub", hub)]);
        return rows.ToDictionary(r => r.Flavor, r => r.Count, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            $"SELECT {Columns} FROM servers WHERE end_date IS NOT NULL AND end_date <= @now AND phase IN ('Starting', 'Running') ORDER BY end_date LIMIT @limit",
            ToRecord, [("@now", now), ("@limit", limit)]);
    }

    public async Task<bool> TransitionAsync(long id, ServerPhase from, ServerPhase to, ServerChanges changes, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(
            """
            UPDATE servers SET phase = @To, last_update = @Now, owner = @Owner,
                service_address = COALESCE(@ServiceAddress, service_address),
                exit_code = COALESCE(@ExitCode, exit_code),
                error = COALESCE(@Error, error),
                end_date = COALESCE(@EndDate, end_date),
                handle = COALESCE(@Handle, handle)
            WHERE id = @id AND phase = @From
            """,
            [
                ("@id", id), ("@From", from.ToString()), ("@To", to.ToString()), ("@Now", time.GetUtcNow()), ("@Owner", replica.Id),
                ("@ServiceAddress", changes.ServiceAddress), ("@ExitCode", changes.ExitCode), ("@Error", changes.Error), ("@EndDate", changes.EndDate),
                ("@Handle", changes.Handle is { } handle ? codec.Protect(handle) : null),
            ]);
        return updated == 1;
    }

    public async Task SaveHandleAsync(long id, BackendHandle handle, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE servers SET handle = @Handle, last_update = @Now WHERE id = @id",
            [("@id", id), ("@Handle", codec.Protect(handle)), ("@Now", time.GetUtcNow())]);
    }

    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM servers WHERE id = @id", [("@id", id)]);
    }

    public async Task<IReadOnlyList<(string Backend, ServerPhase Phase, int Count)>> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            "SELECT backend, phase, COUNT(*)::int FROM servers GROUP BY backend, phase",
            row => (row.GetString(0), Enum.Parse<ServerPhase>(row.GetString(1)), row.GetInt32(2)));
    }

    /// <summary>A timestamptz as read by Npgsql (a UTC <see cref="DateTime"/>) as an offset-zero value.</summary>
    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static async Task<QuotaLimit?> ExceededAsync(DbConnection connection, DbTransaction transaction, ServerRecord server, ServerQuota quota)
    {
        (string, object?) hub = ("@Hub", server.Key.Hub), flavor = ("@Flavor", server.Flavor), user = ("@UserId", server.UserId);
        if (quota.MaxOfFlavor is { } maxOfFlavor && await connection.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*)::int FROM servers WHERE hub = @Hub AND flavor = @Flavor AND phase IN ({CountedPhases})", [hub, flavor], transaction) >= maxOfFlavor)
        {
            return QuotaLimit.OfFlavor;
        }
        if (quota.MaxOfFlavorPerUser is { } maxOfFlavorPerUser && await connection.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*)::int FROM servers WHERE hub = @Hub AND flavor = @Flavor AND user_id = @UserId AND phase IN ({CountedPhases})", [hub, flavor, user], transaction) >= maxOfFlavorPerUser)
        {
            return QuotaLimit.OfFlavorPerUser;
        }
        if (quota.MaxPerUser is { } maxPerUser && await connection.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*)::int FROM servers WHERE hub = @Hub AND user_id = @UserId AND phase IN ({CountedPhases})", [hub, user], transaction) >= maxPerUser)
        {
            return QuotaLimit.PerUser;
        }
        return null;
    }

    private ServerRecord ToRecord(DbDataReader row) => StoredRows.Server(row, codec, Timestamp);

    /// <summary>How this store keeps a timestamp: timestamptz, read as a UTC <see cref="DateTime"/>.</summary>
    internal static DateTimeOffset Timestamp(DbDataReader row, int ordinal) => Utc(row.GetDateTime(ordinal));
}
