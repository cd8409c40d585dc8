using System.Data.Common;

namespace Outpost.Storage.Postgres;

/// <summary>
/// PostgreSQL for <see cref="ServerStore"/>, shared by every replica: inserts of one hub take turns under a
/// transaction-scoped advisory lock, the replaced row is locked, timestamps are timestamptz.
/// </summary>
public sealed class PostgresDialect(PostgresDatabase database) : StoreDialect
{
    /// <summary>First key of the two-key advisory locks that serialize inserts per hub.</summary>
    private const int HubInsertLock = 0x4F50_0001;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    // Replicas write concurrently; conditional updates and the insert lock keep them apart.
    public override async Task<T> WriteAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await write(connection);
    }

    public override async Task<DbTransaction> BeginInsertAsync(DbConnection connection, string hub, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Read committed: every statement after the lock sees what earlier holders committed.
        // Both keys are int4: pg_advisory_xact_lock(int, int).
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@HubInsertLock, hashtext(@Hub))", [("@HubInsertLock", HubInsertLock), ("@Hub", hub)], transaction);
        return transaction;
    }

    public override string LockRow => " FOR UPDATE";

    public override bool IsOnlyWriter => false;

    public override object Timestamp(DateTimeOffset value) => value;

    public override DateTimeOffset ReadTimestamp(DbDataReader row, int ordinal) => Timestamp(row, ordinal);

    /// <summary>A timestamptz as read by Npgsql (a UTC <see cref="DateTime"/>) as an offset-zero value.</summary>
    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>How PostgreSQL keeps a timestamp: timestamptz, read as a UTC <see cref="DateTime"/>.</summary>
    internal static DateTimeOffset Timestamp(DbDataReader row, int ordinal) => Utc(row.GetDateTime(ordinal));
}
