using System.Data.Common;
using System.Reflection;

namespace Outpost.Storage;

/// <summary>
/// Applies the numbered <c>Migrations/{Provider}/NNNN_name.sql</c> scripts that are newer than the
/// recorded schema version, all in one transaction, so a failed upgrade leaves the old schema intact.
/// </summary>
public static class MigrationRunner
{
    /// <summary>
    /// Applies the pending scripts of <paramref name="provider"/>; returns how many. <paramref name="lockSql"/>,
    /// when given, runs first in the transaction, so concurrent runners (replicas starting together) take turns.
    /// </summary>
    public static async Task<int> ApplyAsync(DbConnection connection, string provider, CancellationToken cancellationToken = default, string? lockSql = null)
    {
        var scripts = LoadScripts(provider);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (lockSql is not null)
        {
            await connection.ExecuteAsync(lockSql, transaction: transaction);
        }
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", transaction: transaction);
        // MAX of an INTEGER column: a long from SQLite, an int from PostgreSQL, null while the table is empty.
        var current = Convert.ToInt32(await connection.ExecuteScalarAsync<object?>("SELECT MAX(version) FROM schema_version", transaction: transaction) ?? 0);
        var applied = 0;
        foreach (var (version, sql) in scripts.Where(s => s.Version > current))
        {
            await connection.ExecuteAsync(sql, transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", [("@version", version)], transaction);
            applied++;
        }
        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>The schema version this build's migrations of <paramref name="provider"/> bring a database to.</summary>
    public static int LatestVersion(string provider) => LoadScripts(provider).Select(s => s.Version).DefaultIfEmpty(0).Max();

    /// <summary>
    /// The recorded schema version, 0 when the database has no schema yet; reads only, so it may run on a
    /// read-only connection (<c>outpost check</c>).
    /// </summary>
    public static async Task<int> ReadVersionAsync(DbConnection connection, string provider, CancellationToken cancellationToken = default)
    {
        var exists = provider == StorageOptions.Postgres
            ? "SELECT to_regclass('schema_version') IS NOT NULL"
            : "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (!Convert.ToBoolean(await connection.ExecuteScalarAsync<object?>(exists, cancellationToken: cancellationToken)))
        {
            return 0;
        }
        return Convert.ToInt32(await connection.ExecuteScalarAsync<object?>("SELECT MAX(version) FROM schema_version", cancellationToken: cancellationToken) ?? 0);
    }

    private static List<(int Version, string Sql)> LoadScripts(string provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"Outpost.Storage.Migrations.{provider}.";
        var scripts = new List<(int, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = name[prefix.Length..];
            if (!int.TryParse(file.AsSpan(0, file.IndexOf('_')), out var version))
            {
                throw new InvalidOperationException($"Migration '{file}' does not start with a number.");
            }
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            scripts.Add((version, reader.ReadToEnd()));
        }
        return [.. scripts.OrderBy(s => s.Item1)];
    }
}
