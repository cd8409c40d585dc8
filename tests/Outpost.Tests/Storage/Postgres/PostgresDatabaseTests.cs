using Npgsql;
using Outpost.Storage.Postgres;

namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private PostgresServer _server = null!;
    private string _schema = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.SharedAsync();
        _schema = await _server.CreateSchemaAsync();
    }

    public Task DisposeAsync() => _server.DropSchemaAsync(_schema);

    [Fact]
    public async Task MigrateAsync_ReplicasStartingTogether_ApplyEachVersionOnce()
    {
        var databases = Enumerable.Range(0, 5).Select(_ => new PostgresDatabase(_server.ConnectionStringFor(_schema))).ToList();
        try
        {
            await Task.WhenAll(databases.Select(d => Task.Run(() => d.MigrateAsync())));
            await databases[0].MigrateAsync();

            await using var connection = await databases[0].OpenAsync();
            var versions = new List<int>();
            await using (var command = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", connection))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    versions.Add(reader.GetInt32(0));
                }
            }
            Assert.Equal([1, 2, 3, 4, 5], versions);
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Location_IsHostPortAndDatabase_NeverThePassword()
    {
        await using var database = new PostgresDatabase("Host=db.example;Port=6543;Database=outpost;Username=op;Password=pw-s3cret-91");

        Assert.Equal("db.example:6543/outpost", database.Location);
        Assert.Equal("Postgres", database.Provider);
    }

    [Fact]
    public async Task IsTransient_RefusedConnection_IsTransient_WrongPassword_IsNot()
    {
        await using var closed = new PostgresDatabase($"Host=127.0.0.1;Port={ClosedPort()};Username=postgres;Password=x;Timeout=3");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => closed.MigrateAsync());
        Assert.True(closed.IsTransient(refused), refused.ToString());

        var wrong = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Password = "wrong-password" }.ToString();
        await using var denied = new PostgresDatabase(wrong);
        var authentication = await Assert.ThrowsAnyAsync<Exception>(() => denied.MigrateAsync());
        Assert.False(denied.IsTransient(authentication), authentication.ToString());
    }

    internal static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
