using Microsoft.Data.Sqlite;
using Outpost.Storage;
using Outpost.Tests.Fakes;

namespace Outpost.Tests.Storage;

public sealed class MigrationRunnerTests
{
    [Fact]
    public async Task ApplyAsync_FreshDatabase_AppliesEveryScriptThenNothing()
    {
        using var temp = new TempDirectory();
        await using var connection = new SqliteConnection($"Data Source={temp.File("m.db")}");
        await connection.OpenAsync();

        var first = await MigrationRunner.ApplyAsync(connection, "Sqlite");
        var second = await MigrationRunner.ApplyAsync(connection, "Sqlite");

        Assert.True(first >= 1);
        Assert.Equal(0, second);
        Assert.Equal(first, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
        var tables = await connection.QueryAsync("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", row => row.GetString(0));
        Assert.Contains("servers", tables);
        Assert.Contains("events", tables);
        Assert.Contains("hubs", tables);
    }

    [Fact]
    public async Task ApplyAsync_UnknownProvider_AppliesNothing()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();

        Assert.Equal(0, await MigrationRunner.ApplyAsync(connection, "NoSuchProvider"));
    }
}
