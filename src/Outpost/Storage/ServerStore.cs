using System.Data.Common;
using Outpost.Backends;
using Outpost.Replicas;
using Outpost.Servers;

namespace Outpost.Storage;

/// <summary>
/// <see cref="IServerStore"/> over SQL that SQLite and PostgreSQL share; what differs is the <see cref="StoreDialect"/>.
/// Inserts of one hub take turns (<see cref="StoreDialect.BeginInsertAsync"/>), so the duplicate check, the replacement
/// of an ended server and the quota counts see every committed insert; transitions are conditional updates.
/// </summary>
public abstract class ServerStore(StoreDialect dialect, ServerSpecCodec codec, ReplicaIdentity replica, TimeProvider time) : IServerStore
{
    // The only writer of its database can answer polls from memory (see PollStateCache).
    private readonly PollStateCache? _pollStates = dialect.IsOnlyWriter ? new() : null;

    /// <summary>The columns <see cref="ToRecord"/> reads, in its order.</summary>
    private const string Columns = """
        id, hub, name, start_id, user_name, user_id, backend, flavor, resource_name, phase, spec,
        handle, service_address, exit_code, error, start_date, end_date, last_update, owner
        """;

    private const string ByKey = $"SELECT {Columns} FROM servers WHERE hub = @Hub AND name = @Name AND start_id = @StartId";

    /// <summary>Phases that count against limits: a stopping server's resources are already being released.</summary>
    private const string CountedPhases = "'Pending', 'Starting', 'Running'";

    public async Task<ServerRecord?> FindAsync(ServerKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync(ByKey, ToRecord, [("@Hub", key.Hub), ("@Name", key.Name), ("@StartId", key.StartId)]);
    }

    public async Task<ServerPollState?> FindPollStateAsync(ServerKey key, CancellationToken cancellationToken = default)
    {
        if (_pollStates is null)
        {
            return await FindAsync(key, cancellationToken) is { } found ? ServerPollState.From(found) : null;
        }
        if (_pollStates.TryGet(key, out var cached))
        {
            return cached;
        }
        var generation = _pollStates.Generation;
        if (await FindAsync(key, cancellationToken) is not { } record)
        {
            return null;
        }
        var state = ServerPollState.From(record);
        _pollStates.Offer(key, state, generation);
        return state;
    }

    public async Task<ServerRecord?> FindByIdAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync($"SELECT {Columns} FROM servers WHERE id = @id", ToRecord, [("@id", id)]);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.QueryAsync($"SELECT {Columns} FROM servers WHERE hub = @hub ORDER BY id", ToRecord, [("@hub", hub)]);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListByPhaseAsync(IReadOnlyCollection<ServerPhase> phases, CancellationToken cancellationToken = default)
    {
        if (phases.Count == 0)
        {
            return []; // PostgreSQL has no empty IN ()
        }
        await using var connection = await dialect.OpenAsync(cancellationToken);
        // One parameter per phase, @phase0, @phase1, ...: SQLite has no array parameters.
        var parameters = phases.Select((phase, i) => (Name: $"@phase{i}", Value: (object?)phase.ToString())).ToArray();
        return await connection.QueryAsync(
            $"SELECT {Columns} FROM servers WHERE phase IN ({string.Join(", ", parameters.Select(p => p.Name))}) ORDER BY id", ToRecord, parameters);
    }

    public Task<InsertOutcome> InsertAsync(ServerRecord server, ServerQuota? quota = null, CancellationToken cancellationToken = default) =>
        dialect.WriteAsync(connection => InsertAsync(connection, server, quota, cancellationToken), cancellationToken);

    private async Task<InsertOutcome> InsertAsync(DbConnection connection, ServerRecord server, ServerQuota? quota, CancellationToken cancellationToken)
    {
        var key = server.Key;
        await using var transaction = await dialect.BeginInsertAsync(connection, key.Hub, cancellationToken);
        var existing = await connection.QuerySingleOrDefaultAsync(
            ByKey + dialect.LockRow, ToRecord, [("@Hub", key.Hub), ("@Name", key.Name), ("@StartId", key.StartId)], transaction);
        if (existing is { } record)
        {
            if (record.Phase.IsActive())
            {
                return new InsertOutcome(null, record);
            }
            await connection.ExecuteAsync("DELETE FROM servers WHERE id = @Id", [("@Id", record.Id)], transaction);
            _pollStates?.Invalidate(record.Id);
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
                ("@Now", dialect.Timestamp(now)), ("@EndDate", dialect.Timestamp(server.EndDate)), ("@Owner", replica.Id),
            ],
            transaction);
        await transaction.CommitAsync(cancellationToken);
        _pollStates?.Invalidate(key);
        return new InsertOutcome(server with { Id = id, Phase = ServerPhase.Pending, StartDate = now, LastUpdate = now, Owner = replica.Id }, null);
    }

    public async Task<IReadOnlyDictionary<string, int>> CountActiveByFlavorAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync(
            $"SELECT flavor, COUNT(*) FROM servers WHERE hub = @hub AND flavor IS NOT NULL AND phase IN ({CountedPhases}) GROUP BY flavor",
            row => (Flavor: row.GetString(0), Count: (int)row.GetInt64(1)), [("@hub", hub)]);
        return rows.ToDictionary(r => r.Flavor, r => r.Count, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            $"SELECT {Columns} FROM servers WHERE end_date IS NOT NULL AND end_date <= @now AND phase IN ('Starting', 'Running') ORDER BY end_date LIMIT @limit",
            ToRecord, [("@now", dialect.Timestamp(now)), ("@limit", limit)]);
    }

    /// <summary>COUNT(*) is a 64-bit integer in both databases.</summary>
    private static async Task<QuotaLimit?> ExceededAsync(DbConnection connection, DbTransaction transaction, ServerRecord server, ServerQuota quota)
    {
        (string, object?) hub = ("@Hub", server.Key.Hub), flavor = ("@Flavor", server.Flavor), user = ("@UserId", server.UserId);
        if (quota.MaxOfFlavor is { } maxOfFlavor && await connection.ExecuteScalarAsync<long>(
                $"SELECT COUNT(*) FROM servers WHERE hub = @Hub AND flavor = @Flavor AND phase IN ({CountedPhases})", [hub, flavor], transaction) >= maxOfFlavor)
        {
            return QuotaLimit.OfFlavor;
        }
        if (quota.MaxOfFlavorPerUser is { } maxOfFlavorPerUser && await connection.ExecuteScalarAsync<long>(
                $"SELECT COUNT(*) FROM servers WHERE hub = @Hub AND flavor = @Flavor AND user_id = @UserId AND phase IN ({CountedPhases})", [hub, flavor, user], transaction) >= maxOfFlavorPerUser)
        {
            return QuotaLimit.OfFlavorPerUser;
        }
        if (quota.MaxPerUser is { } maxPerUser && await connection.ExecuteScalarAsync<long>(
                $"SELECT COUNT(*) FROM servers WHERE hub = @Hub AND user_id = @UserId AND phase IN ({CountedPhases})", [hub, user], transaction) >= maxPerUser)
        {
            return QuotaLimit.PerUser;
        }
        return null;
    }

    public async Task<bool> TransitionAsync(long id, ServerPhase from, ServerPhase to, ServerChanges changes, CancellationToken cancellationToken = default)
    {
        var updated = await dialect.WriteAsync(connection => connection.ExecuteAsync(
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
                ("@id", id), ("@From", from.ToString()), ("@To", to.ToString()), ("@Now", dialect.Timestamp(time.GetUtcNow())), ("@Owner", replica.Id),
                ("@ServiceAddress", changes.ServiceAddress), ("@ExitCode", changes.ExitCode), ("@Error", changes.Error),
                ("@EndDate", dialect.Timestamp(changes.EndDate)),
                ("@Handle", changes.Handle is { } handle ? codec.Protect(handle) : null),
            ]), cancellationToken);
        _pollStates?.Invalidate(id);
        return updated == 1;
    }

    public async Task SaveHandleAsync(long id, BackendHandle handle, CancellationToken cancellationToken = default)
    {
        await dialect.WriteAsync(connection => connection.ExecuteAsync(
            "UPDATE servers SET handle = @Handle, last_update = @Now WHERE id = @id",
            [("@id", id), ("@Handle", codec.Protect(handle)), ("@Now", dialect.Timestamp(time.GetUtcNow()))]), cancellationToken);
        _pollStates?.Invalidate(id);
    }

    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await dialect.WriteAsync(connection => connection.ExecuteAsync("DELETE FROM servers WHERE id = @id", [("@id", id)]), cancellationToken);
        _pollStates?.Invalidate(id);
    }

    public async Task<IReadOnlyList<(string Backend, ServerPhase Phase, int Count)>> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            "SELECT backend, phase, COUNT(*) FROM servers GROUP BY backend, phase",
            row => (row.GetString(0), Enum.Parse<ServerPhase>(row.GetString(1)), (int)row.GetInt64(2)));
    }

    private ServerRecord ToRecord(DbDataReader row) => StoredRows.Server(row, codec, dialect.ReadTimestamp);
}
