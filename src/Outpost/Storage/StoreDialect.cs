using System.Data.Common;

namespace Outpost.Storage;

/// <summary>
/// What differs between SQLite and PostgreSQL for <see cref="ServerStore"/>: how connections are opened and writes
/// taken in turn, how an insert excludes concurrent inserts, and how a timestamp is stored. The SQL is the same.
/// </summary>
public abstract class StoreDialect
{
    /// <summary>Opens a connection for reading.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="write"/> on its own connection; what it commits is committed when the task completes.</summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancellationToken);

    /// <summary>
    /// Begins the transaction of an insert into <paramref name="hub"/>: once it returns, no other insert of that hub
    /// runs until this transaction ends, so duplicate and quota checks see every committed insert.
    /// </summary>
    public abstract Task<DbTransaction> BeginInsertAsync(DbConnection connection, string hub, CancellationToken cancellationToken);

    /// <summary>Appended to the SELECT of the row an insert may replace (a row lock where the database has one).</summary>
    public abstract string LockRow { get; }

    /// <summary>
    /// Whether this process is the database's only writer, so the store may answer polls from memory
    /// (<see cref="PollStateCache"/>).
    /// </summary>
    public abstract bool IsOnlyWriter { get; }

    /// <summary>A timestamp as a parameter value, in the column's stored form.</summary>
    public abstract object Timestamp(DateTimeOffset value);

    /// <summary>A stored timestamp column, read back.</summary>
    public abstract DateTimeOffset ReadTimestamp(DbDataReader row, int ordinal);

    /// <summary><see cref="Timestamp(DateTimeOffset)"/>, or SQL NULL for no value.</summary>
    public object? Timestamp(DateTimeOffset? value) => value is { } v ? Timestamp(v) : null;
}
