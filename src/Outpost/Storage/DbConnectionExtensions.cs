using System.Data.Common;

namespace Outpost.Storage;

/// <summary>
/// The ADO.NET plumbing the SQLite and PostgreSQL stores share: a command with named parameters, rows mapped by
/// a function the store writes out column by column, a scalar. Nothing is mapped by reflection or generated at
/// run time, so the stores work trimmed and under Native AOT (Dapper, used before, emitted IL at run time).
/// </summary>
/// <remarks>
/// Parameters are <c>("@name", value)</c> pairs whose names match the SQL text; a null value is sent as SQL NULL.
/// PostgreSQL infers the type of such a NULL from where it is used (a column, <c>COALESCE</c> with a column).
/// Pass exactly the parameters the SQL uses (Dapper silently dropped the others).
/// </remarks>
internal static class DbConnectionExtensions
{
    /// <summary>Runs a statement (or a script); returns how many rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this DbConnection connection, string sql, (string Name, object? Value)[]? parameters = null,
        DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand(sql, parameters, transaction);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The first column of the first row, as <typeparamref name="T"/> exactly (SQLite returns integers as
    /// <see cref="long"/>); <c>default</c> when there is no row or the value is NULL, so ask for a nullable type
    /// when that must be told apart from a value.
    /// </summary>
    public static async Task<T> ExecuteScalarAsync<T>(this DbConnection connection, string sql, (string Name, object? Value)[]? parameters = null,
        DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand(sql, parameters, transaction);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)value;
    }

    /// <summary>Every row of the result, each turned into a <typeparamref name="T"/> by <paramref name="map"/>.</summary>
    public static async Task<List<T>> QueryAsync<T>(this DbConnection connection, string sql, Func<DbDataReader, T> map,
        (string Name, object? Value)[]? parameters = null, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand(sql, parameters, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    /// <summary>The one row of the result mapped by <paramref name="map"/>, or null when there is none; throws when there are more.</summary>
    public static async Task<T?> QuerySingleOrDefaultAsync<T>(this DbConnection connection, string sql, Func<DbDataReader, T> map,
        (string Name, object? Value)[]? parameters = null, DbTransaction? transaction = null, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var command = connection.CreateCommand(sql, parameters, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var row = map(reader);
        if (await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("Sequence contains more than one element");
        }
        return row;
    }

    private static DbCommand CreateCommand(this DbConnection connection, string sql, (string Name, object? Value)[]? parameters, DbTransaction? transaction)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters ?? [])
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
