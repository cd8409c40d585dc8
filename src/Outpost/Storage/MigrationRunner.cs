using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Outpost.Storage;

/// <summary>
/// Applies the numbered <c>Migrations/{Provider}/NNNN_name.sql</c> scripts that are newer than the
/// recorded schema version, all in one transaction, so a failed upgrade leaves the old schema intact.
/// </summary>
public static class MigrationRunner
{
    public static async Task<int> ApplyAsync(DbConnection connection, string provider, CancellationToken cancellationToken = default)
    {
        var scripts = LoadScripts(provider);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", transaction: transaction);
        var current = await connection.ExecuteScalarAsync<int?>("SELECT MAX(version) FROM schema_version", transaction: transaction) ?? 0;
        var applied = 0;
        foreach (var (version, sql) in scripts.Where(s => s.Version > current))
        {
            await connection.ExecuteAsync(sql, transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version }, transaction);
            applied++;
        }
        await transaction.CommitAsync(cancellationToken);
        return applied;
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
