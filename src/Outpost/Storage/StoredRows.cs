using System.Data.Common;
using Outpost.Servers;

namespace Outpost.Storage;

/// <summary>
/// The row mappers the SQLite and PostgreSQL stores share: their columns are the same, in the same order. Only the
/// way a timestamp is stored differs (text in SQLite, timestamptz in PostgreSQL), so each store passes its reader.
/// Integers are read as the record's type; both providers convert between 32- and 64-bit integers on read.
/// </summary>
internal static class StoredRows
{
    public delegate DateTimeOffset TimestampReader(DbDataReader row, int ordinal);

    /// <summary>A row of the stores' server columns (<c>Columns</c> in each store).</summary>
    public static ServerRecord Server(DbDataReader row, ServerSpecCodec codec, TimestampReader timestamp) => new()
    {
        Id = row.GetInt64(0),
        Key = new ServerKey(row.GetString(1), row.GetString(2), row.GetString(3)),
        UserName = row.GetString(4),
        UserId = row.GetInt64(5),
        Backend = row.GetString(6),
        Flavor = row.GetStringOrNull(7),
        ResourceName = row.GetString(8),
        Phase = Enum.Parse<ServerPhase>(row.GetString(9)),
        ProtectedSpec = row.GetFieldValue<byte[]>(10),
        Handle = row.GetBytesOrNull(11) is { } handle ? codec.UnprotectHandle(handle) : null,
        ServiceAddress = row.GetStringOrNull(12),
        ExitCode = row.IsDBNull(13) ? null : row.GetInt32(13),
        Error = row.GetStringOrNull(14),
        StartDate = timestamp(row, 15),
        EndDate = row.IsDBNull(16) ? null : timestamp(row, 16),
        LastUpdate = timestamp(row, 17),
        Owner = row.GetStringOrNull(18),
    };

    /// <summary>A row of <see cref="OutboxSql"/>'s columns.</summary>
    public static OutboxEvent Outbox(DbDataReader row, SecretProtector protector, TimestampReader timestamp) => new()
    {
        Id = row.GetInt64(0),
        Hub = row.GetString(1),
        Server = row.GetString(2),
        Url = row.GetString(3),
        Token = protector.Unprotect(row.GetFieldValue<byte[]>(4)),
        Body = row.GetString(5),
        Attempts = row.GetInt32(6),
        NextAttemptAt = timestamp(row, 7),
        CreatedAt = timestamp(row, 8),
    };
}
