using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Outpost.Backends;
using Outpost.Replicas;
using Outpost.Servers;

namespace Outpost.Storage.Sqlite;

/// <summary><see cref="IServerStore"/> over SQLite. Writes that must not race run in BEGIN IMMEDIATE transactions.</summary>
public sealed class SqliteServerStore(SqliteDatabase database, ServerSpecCodec codec, ReplicaIdentity replica, TimeProvider time) : IServerStore
{
    // One Outpost process writes its SQLite file, so it can answer polls from memory (see PollStateCache).
    private readonly PollStateCache _pollStates = new();

    private const string Columns = """
        id AS Id, hub AS Hub, name AS Name, start_id AS StartId, user_name AS UserName, user_id AS UserId,
        backend AS Backend, flavor AS Flavor, resource_name AS ResourceName, phase AS Phase, spec AS Spec,
        handle AS Handle, service_address AS ServiceAddress, exit_code AS ExitCode, error AS Error,
        start_date AS StartDate, end_date AS EndDate, last_update AS LastUpdate, owner AS Owner
        """;

    public async Task<ServerRecord?> FindAsync(ServerKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM servers WHERE hub = @Hub AND name = @Name AND start_id = @StartId",
            new { key.Hub, key.Name, key.StartId });
        return row is null ? null : ToRecord(row);
    }

    public async Task<ServerPollState?> FindPollStateAsync(ServerKey key, CancellationToken cancellationToken = default)
    {
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
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM servers WHERE id = @id", new { id });
        return row is null ? null : ToRecord(row);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM servers WHERE hub = @hub ORDER BY id", new { hub });
        return [.. rows.Select(ToRecord)];
    }

    public async Task<IReadOnlyList<ServerRecord>> ListByPhaseAsync(IReadOnlyCollection<ServerPhase> phases, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var names = phases.Select(p => p.ToString()).ToArray();
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM servers WHERE phase IN @names ORDER BY id", new { names });
        return [.. rows.Select(ToRecord)];
    }

    public Task<InsertOutcome> InsertAsync(ServerRecord server, ServerQuota? quota = null, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection => InsertAsync(connection, server, quota, cancellationToken), cancellationToken);

    private async Task<InsertOutcome> InsertAsync(SqliteConnection connection, ServerRecord server, ServerQuota? quota, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction(deferred: false);
        var key = server.Key;
        var existing = await connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM servers WHERE hub = @Hub AND name = @Name AND start_id = @StartId",
            new { key.Hub, key.Name, key.StartId }, transaction);
        if (existing is not null)
        {
            var record = ToRecord(existing);
            if (record.Phase.IsActive())
            {
                return new InsertOutcome(null, record);
            }
            await connection.ExecuteAsync("DELETE FROM servers WHERE id = @Id", new { record.Id }, transaction);
            _pollStates.Invalidate(record.Id);
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
            new
            {
                key.Hub, key.Name, key.StartId, server.UserName, server.UserId, server.Backend, server.Flavor,
                server.ResourceName, Phase = ServerPhase.Pending.ToString(), Spec = server.ProtectedSpec,
                Now = Format(now), EndDate = server.EndDate is { } end ? Format(end) : null, Owner = replica.Id,
            },
            transaction);
        await transaction.CommitAsync(cancellationToken);
        _pollStates.Invalidate(key);
        return new InsertOutcome(server with { Id = id, Phase = ServerPhase.Pending, StartDate = now, LastUpdate = now, Owner = replica.Id }, null);
    }

    public async Task<IReadOnlyDictionary<string, int>> CountActiveByFlavorAsync(string hub, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Flavor, int Count)>(
            $"SELECT flavor, COUNT(*) FROM servers WHERE hub = @hub AND flavor IS NOT NULL AND phase IN ({CountedPhases}) GROUP BY flavor",
            new { hub });
        return rows.ToDictionary(r => r.Flavor, r => r.Count, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<ServerRecord>> ListExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            $"SELECT {Columns} FROM servers WHERE end_date IS NOT NULL AND end_date <= @now AND phase IN ('Starting', 'Running') ORDER BY end_date LIMIT @limit",
            new { now = Format(now), limit });
        return [.. rows.Select(ToRecord)];
    }

    /// <summary>Phases that count against limits: a stopping server's resources are already being released.</summary>
    private const string CountedPhases = "'Pending', 'Starting', 'Running'";

    private static async Task<QuotaLimit?> ExceededAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, ServerRecord server, ServerQuota quota)
    {
        var parameters = new { server.Key.Hub, server.Flavor, server.UserId };
        if (quota.MaxOfFlavor is { } maxOfFlavor && await connection.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*) FROM servers WHERE hub = @Hub AND flavor = @Flavor AND phase IN ({CountedPhases})", parameters, transaction) >= maxOfFlavor)
        {
            return QuotaLimit.OfFlavor;
        }
        if (quota.MaxOfFlavorPerUser is { } maxOfFlavorPerUser && await connection.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*) FROM servers WHERE hub = @Hub AND flavor = @Flavor AND user_id = @UserId AND phase IN ({CountedPhases})", parameters, transaction) >= maxOfFlavorPerUser)
        {
            return QuotaLimit.OfFlavorPerUser;
        }
        if (quota.MaxPerUser is { } maxPerUser && await connection.ExecuteScalarAsync<int>(
                $"SELECT COUNT(*) FROM servers WHERE hub = @Hub AND user_id = @UserId AND phase IN ({CountedPhases})", parameters, transaction) >= maxPerUser)
        {
            return QuotaLimit.PerUser;
        }
        return null;
    }

    public async Task<bool> TransitionAsync(long id, ServerPhase from, ServerPhase to, ServerChanges changes, CancellationToken cancellationToken = default)
    {
        var updated = await database.WriteAsync(connection => connection.ExecuteAsync(
            """
            UPDATE servers SET phase = @To, last_update = @Now, owner = @Owner,
                service_address = COALESCE(@ServiceAddress, service_address),
                exit_code = COALESCE(@ExitCode, exit_code),
                error = COALESCE(@Error, error),
                end_date = COALESCE(@EndDate, end_date),
                handle = COALESCE(@Handle, handle)
            WHERE id = @id AND phase = @From
            """,
            new
            {
                id, From = from.ToString(), To = to.ToString(), Now = Format(time.GetUtcNow()), Owner = replica.Id,
                changes.ServiceAddress, changes.ExitCode, changes.Error,
                EndDate = changes.EndDate is { } end ? Format(end) : null,
                Handle = changes.Handle is { } handle ? codec.Protect(handle) : null,
            }), cancellationToken);
        _pollStates.Invalidate(id);
        return updated == 1;
    }

    public async Task SaveHandleAsync(long id, BackendHandle handle, CancellationToken cancellationToken = default)
    {
        await database.WriteAsync(connection => connection.ExecuteAsync(
            "UPDATE servers SET handle = @Handle, last_update = @Now WHERE id = @id",
            new { id, Handle = codec.Protect(handle), Now = Format(time.GetUtcNow()) }), cancellationToken);
        _pollStates.Invalidate(id);
    }

    public async Task DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await database.WriteAsync(connection => connection.ExecuteAsync("DELETE FROM servers WHERE id = @id", new { id }), cancellationToken);
        _pollStates.Invalidate(id);
    }

    public async Task<IReadOnlyList<(string Backend, ServerPhase Phase, int Count)>> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Backend, string Phase, int Count)>(
            "SELECT backend, phase, COUNT(*) FROM servers GROUP BY backend, phase");
        return [.. rows.Select(r => (r.Backend, Enum.Parse<ServerPhase>(r.Phase), r.Count))];
    }

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private ServerRecord ToRecord(Row row) => new()
    {
        Id = row.Id,
        Key = new ServerKey(row.Hub, row.Name, row.StartId),
        UserName = row.UserName,
        UserId = row.UserId,
        Backend = row.Backend,
        Flavor = row.Flavor,
        ResourceName = row.ResourceName,
        Phase = Enum.Parse<ServerPhase>(row.Phase),
        ProtectedSpec = row.Spec,
        Handle = row.Handle is null ? null : codec.UnprotectHandle(row.Handle),
        ServiceAddress = row.ServiceAddress,
        ExitCode = row.ExitCode is null ? null : (int)row.ExitCode.Value,
        Error = row.Error,
        StartDate = Parse(row.StartDate),
        EndDate = row.EndDate is null ? null : Parse(row.EndDate),
        LastUpdate = Parse(row.LastUpdate),
        Owner = row.Owner,
    };

    private sealed class Row
    {
        public long Id { get; set; }
        public string Hub { get; set; } = "";
        public string Name { get; set; } = "";
        public string StartId { get; set; } = "";
        public string UserName { get; set; } = "";
        public long UserId { get; set; }
        public string Backend { get; set; } = "";
        public string? Flavor { get; set; }
        public string ResourceName { get; set; } = "";
        public string Phase { get; set; } = "";
        public byte[] Spec { get; set; } = [];
        public byte[]? Handle { get; set; }
        public string? ServiceAddress { get; set; }
        public long? ExitCode { get; set; }
        public string? Error { get; set; }
        public string StartDate { get; set; } = "";
        public string? EndDate { get; set; }
        public string LastUpdate { get; set; } = "";
        public string? Owner { get; set; }
    }
}
