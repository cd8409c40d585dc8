using System.Data.Common;
using System.Globalization;

namespace Outpost.Storage.Sqlite;

/// <summary>SQLite for <see cref="ServerStore"/>: writes take turns in this process, timestamps are ISO 8601 text.</summary>
public sealed class SqliteDialect(SqliteDatabase database) : StoreDialect
{
    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    public override Task<T> WriteAsync<T>(Func<DbConnection, Task<T>> write, CancellationToken cancellationToken) =>
        database.WriteAsync(connection => write(connection), cancellationToken);

    /// <summary>BEGIN IMMEDIATE: the write lock is taken at once, not at the first write after the checks.</summary>
    public override Task<DbTransaction> BeginInsertAsync(DbConnection connection, string hub, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((Microsoft.Data.Sqlite.SqliteConnection)connection).BeginTransaction(deferred: false));

    public override string LockRow => "";

    // One Outpost process writes its SQLite file.
    public override bool IsOnlyWriter => true;

    public override object Timestamp(DateTimeOffset value) => Format(value);

    public override DateTimeOffset ReadTimestamp(DbDataReader row, int ordinal) => Timestamp(row, ordinal);

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>How SQLite keeps a timestamp: text (<see cref="Format"/>).</summary>
    internal static DateTimeOffset Timestamp(DbDataReader row, int ordinal) => Parse(row.GetString(ordinal));
}
