using Microsoft.Data.Sqlite;

namespace Outpost.Storage;

/// <summary>
/// The data folder (<c>Outpost:DataDir</c>) and the SQLite files in it are the Outpost's own: the folder is 0700 and
/// the database with its <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files 0600, whether they are created now or
/// were left with wider modes by an earlier version (which created them 0755 and 0644).
/// </summary>
public static class DataDirectory
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly string[] SqliteSuffixes = ["", "-wal", "-shm", "-journal"];

    /// <summary>Creates <paramref name="path"/> as 0700, or narrows an existing folder to 0700.</summary>
    public static void Ensure(string path)
    {
        if (Directory.Exists(path))
        {
            File.SetUnixFileMode(path, FolderMode);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>
    /// Creates the database file of <paramref name="connectionString"/> empty with mode 0600 before SQLite opens it
    /// (SQLite gives its -wal and -shm files the database file's mode), and narrows existing files to 0600.
    /// In-memory databases are left alone.
    /// </summary>
    public static void RestrictSqliteFiles(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || builder.Mode == SqliteOpenMode.Memory || file.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder && !Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
        }
        try
        {
            using var created = new FileStream(file, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
        }
        catch (IOException) when (File.Exists(file))
        {
            // It exists already: narrowed below.
        }
        foreach (var suffix in SqliteSuffixes)
        {
            if (File.Exists(file + suffix))
            {
                File.SetUnixFileMode(file + suffix, FileMode);
            }
        }
    }
}
