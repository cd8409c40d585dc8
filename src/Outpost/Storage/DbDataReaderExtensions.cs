using System.Data.Common;

namespace Outpost.Storage;

/// <summary>Typed getters for nullable columns, so a row mapper reads one line per column.</summary>
internal static class DbDataReaderExtensions
{
    public static string? GetStringOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A BLOB (SQLite) or bytea (PostgreSQL) column, or null.</summary>
    public static byte[]? GetBytesOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<byte[]>(ordinal);
}
