using System.Data.Common;
using Outpost.Replicas;
using Outpost.Storage;

namespace Outpost.Checks;

/// <summary>
/// Whether the configured database answers and carries the schema this build needs, read-only: <c>check</c> never
/// migrates (start-up does) and never creates a SQLite file. Also reads the hubs stored by <c>outpost hub add</c>
/// and, with PostgreSQL, hands the connection to <see cref="ReplicaClockCheck"/>.
/// </summary>
internal static class StorageCheck
{
    private const string Subject = "Storage";

    /// <summary>The lines, and the stored hub names (null when the database could not be read).</summary>
    public static async Task<(List<CheckLine> Lines, IReadOnlyList<string>? StoredHubs)> RunAsync(
        StorageOptions storage, string dataDir, ReplicasOptions replicas, TimeProvider time, CancellationToken cancellationToken)
    {
        var provider = storage.IsPostgres ? StorageOptions.Postgres : StorageOptions.Sqlite;
        var where = $"the {provider} database at {ReadOnlyDatabase.Location(storage, dataDir)}";
        DbConnection? connection;
        try
        {
            connection = await ReadOnlyDatabase.OpenAsync(storage, dataDir, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException)
        {
            return ([CheckLine.Fail(Subject, $"{where} does not answer: {Reason(ex)}", storage.IsPostgres
                ? "start the database, or correct Outpost:Storage:ConnectionString (host, port, database, user, password)"
                : "make the file readable by this user, or correct Outpost:Storage:ConnectionString")], null);
        }
        if (connection is null)
        {
            return ([CheckLine.Warn(Subject, $"{where} does not exist yet", "`outpost serve` creates and migrates it at start-up (so does `outpost hub add`)")], null);
        }
        await using (connection)
        {
            var needed = MigrationRunner.LatestVersion(provider);
            var version = await MigrationRunner.ReadVersionAsync(connection, provider, cancellationToken);
            var lines = new List<CheckLine>();
            IReadOnlyList<string>? hubs = null;
            if (version < needed)
            {
                lines.Add(CheckLine.Fail(Subject, $"{where} has schema version {version}; this Outpost needs {needed}",
                    "run `outpost serve` once: it applies the missing migrations at start-up, in one transaction"));
            }
            else if (version > needed)
            {
                lines.Add(CheckLine.Fail(Subject, $"{where} has schema version {version}, newer than this Outpost knows ({needed})",
                    "run the Outpost version that migrated it, or a newer one"));
            }
            else
            {
                lines.Add(CheckLine.Ok(Subject, $"{where} answers; schema version {version}, as this Outpost needs"));
            }
            if (version >= 1)
            {
                hubs = await connection.QueryAsync("SELECT name FROM hubs ORDER BY name", row => row.GetString(0), cancellationToken: cancellationToken);
            }
            if (storage.IsPostgres)
            {
                lines.AddRange(await ReplicaClockCheck.RunAsync(connection, replicas, time, hasLeases: version >= 2, cancellationToken));
            }
            return (lines, hubs);
        }
    }

    /// <summary>The exception's message and, when it adds something, its cause's (e.g. "Connection refused").</summary>
    internal static string Reason(Exception ex) =>
        ex.InnerException is { } inner && !ex.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{ex.Message} ({inner.Message})" : ex.Message;
}
