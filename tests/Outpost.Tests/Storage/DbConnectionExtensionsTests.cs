using Microsoft.Data.Sqlite;
using Outpost.Storage;

namespace Outpost.Tests.Storage;

public sealed class DbConnectionExtensionsTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        await _connection.ExecuteAsync("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)");
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task ExecuteAsync_NullParameter_StoresNullAndReturnsRowsChanged()
    {
        var changed = await _connection.ExecuteAsync("INSERT INTO t (id, name, data) VALUES (@id, @name, @data)", [("@id", 1L), ("@name", null), ("@data", null)]);

        Assert.Equal(1, changed);
        Assert.Equal(1L, await _connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t WHERE name IS NULL AND data IS NULL"));
    }

    [Fact]
    public async Task ExecuteScalarAsync_NullOrNoRow_ReturnsDefault()
    {
        await _connection.ExecuteAsync("INSERT INTO t (id) VALUES (1)");

        Assert.Null(await _connection.ExecuteScalarAsync<string?>("SELECT name FROM t WHERE id = 1"));
        Assert.Null(await _connection.ExecuteScalarAsync<string?>("SELECT name FROM t WHERE id = 2"));
        Assert.Null(await _connection.ExecuteScalarAsync<long?>("SELECT MAX(id) FROM t WHERE id > 1"));
        Assert.Equal(0L, await _connection.ExecuteScalarAsync<long>("SELECT id FROM t WHERE id = 2"));
    }

    [Fact]
    public async Task QueryAsync_Rows_MapsEachInOrder()
    {
        await _connection.ExecuteAsync("INSERT INTO t (id, name, data) VALUES (2, 'b', x'0102'), (1, 'a', NULL)");

        var rows = await _connection.QueryAsync("SELECT id, name, data FROM t ORDER BY id", row => (Id: row.GetInt64(0), Name: row.GetString(1), Data: row.GetBytesOrNull(2)));

        Assert.Equal([(1L, "a"), (2L, "b")], rows.Select(r => (r.Id, r.Name)));
        Assert.Null(rows[0].Data);
        Assert.Equal(new byte[] { 1, 2 }, rows[1].Data);
    }

    [Fact]
    public async Task QuerySingleOrDefaultAsync_NoneOneOrMore_NullTheRowOrThrows()
    {
        await _connection.ExecuteAsync("INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')");

        Assert.Null(await _connection.QuerySingleOrDefaultAsync("SELECT name FROM t WHERE id = 3", row => row.GetString(0)));
        Assert.Equal("b", await _connection.QuerySingleOrDefaultAsync("SELECT name FROM t WHERE id = @id", row => row.GetString(0), [("@id", 2L)]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _connection.QuerySingleOrDefaultAsync("SELECT name FROM t", row => row.GetString(0)));
    }
}
