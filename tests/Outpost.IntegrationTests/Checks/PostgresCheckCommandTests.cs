using System.Security.Cryptography;
using Npgsql;
using Outpost.IntegrationTests.Storage;
using Outpost.Storage;
using Outpost.Storage.Postgres;
using Outpost.Tests.Storage.Postgres;

namespace Outpost.IntegrationTests.Checks;

/// <summary><c>outpost check</c> on PostgreSQL: reachable, migrated (without migrating), clocks of the replicas; nothing written.</summary>
public sealed class PostgresCheckCommandTests
{
    private static readonly int Schema = MigrationRunner.LatestVersion(StorageOptions.Postgres);

    private static Dictionary<string, string> Postgres(string connectionString) => new()
    {
        ["Outpost__Storage__Provider"] = "Postgres",
        ["Outpost__Storage__ConnectionString"] = connectionString,
        ["Outpost__Storage__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    [Fact]
    public async Task Check_MigratedDatabase_StorageAndClocksOk()
    {
        var server = await PostgresServer.SharedAsync();
        var schema = await server.CreateSchemaAsync();
        var connectionString = server.ConnectionStringFor(schema);
        await using (var database = new PostgresDatabase(connectionString))
        {
            await database.MigrateAsync();
        }
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-check-").FullName;
        var port = new NpgsqlConnectionStringBuilder(server.ConnectionString).Port;

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, Postgres(connectionString), "check");

        Assert.True(exitCode == 0, output + errors);
        Assert.Equal(
        [
            $"ok    Storage: the Postgres database at 127.0.0.1:{port}/postgres answers; schema version {Schema}, as this Outpost needs",
            "ok    Clock: this machine and the database agree within 1.0 s",
            "ok    Replica clocks: no replica is running",
        ], CheckCommandTests.Lines(output)[1..4]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
        await server.DropSchemaAsync(schema);
    }

    [Fact]
    public async Task Check_EmptyDatabase_FailsAtSchemaVersionZero_AndLeavesItEmpty()
    {
        var server = await PostgresServer.SharedAsync();
        var schema = await server.CreateSchemaAsync();
        var connectionString = server.ConnectionStringFor(schema);
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-check-").FullName;
        var port = new NpgsqlConnectionStringBuilder(server.ConnectionString).Port;

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, Postgres(connectionString), "check");

        Assert.True(exitCode == 2, output + errors);
        Assert.Equal(
        [
            $"fail  Storage: the Postgres database at 127.0.0.1:{port}/postgres has schema version 0; this Outpost needs {Schema}",
            "      fix: run `outpost serve` once: it applies the missing migrations at start-up, in one transaction",
        ], CheckCommandTests.Lines(output)[1..3]);
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var tables = new NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = @schema", connection);
            tables.Parameters.AddWithValue("schema", schema);
            Assert.Equal(0L, await tables.ExecuteScalarAsync());
        }
        await server.DropSchemaAsync(schema);
    }

    [Fact]
    public async Task Check_DatabaseUnreachable_StorageLineFails_WithoutThePassword()
    {
        const string password = "db-password-check-secret";
        await using var closed = new TcpForwarder(1); // never opened: connections are refused
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-check-").FullName;

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir,
            Postgres($"Host=127.0.0.1;Port={closed.Port};Database=outpost;Username=op;Password={password}"), "check");

        Assert.True(exitCode == 2, output + errors);
        var lines = CheckCommandTests.Lines(output);
        Assert.StartsWith($"fail  Storage: the Postgres database at 127.0.0.1:{closed.Port}/outpost does not answer: ", lines[1]);
        Assert.Contains("Connection refused", lines[1]);
        Assert.Equal("      fix: start the database, or correct Outpost:Storage:ConnectionString (host, port, database, user, password)", lines[2]);
        Assert.Equal("ok    Hubs: hub1, hub2 (stored hubs not read: see Storage)", lines[3]);
        Assert.DoesNotContain(password, output + errors);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
    }

    [Fact]
    public async Task Check_ReplicaWhoseClockRunsAhead_Warns_NamingTheReplica()
    {
        var server = await PostgresServer.SharedAsync();
        var schema = await server.CreateSchemaAsync();
        var connectionString = server.ConnectionStringFor(schema);
        await using (var database = new PostgresDatabase(connectionString))
        {
            await database.MigrateAsync();
            await using var connection = await database.OpenAsync();
            // Renewed by replicas whose clocks say now + 10 s (the default lease): one agrees, one is 20 s ahead
            // (a little less by the time check runs, as the leases were written a moment before).
            await using var insert = new NpgsqlCommand(
                "INSERT INTO leases (name, holder, expires_at) VALUES ('replica/in-step', 'in-step', now() + interval '9 seconds'), " +
                "('replica/fast', 'fast', now() + interval '30 seconds')", connection);
            await insert.ExecuteNonQueryAsync();
        }
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-check-").FullName;

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir, Postgres(connectionString), "check");

        Assert.True(exitCode == 1, output + errors);
        var lines = CheckCommandTests.Lines(output);
        Assert.Matches("^warn  Replica clocks: replica fast's clock is at least (1[5-9]|20)\\.[0-9] s ahead of the database's$", lines[3]);
        Assert.Equal("      fix: synchronise the clocks (NTP): leases of 10 s (Outpost:Replicas:LeaseSeconds) are judged by each replica's own clock", lines[4]);
        Assert.DoesNotContain("in-step", output);
        await server.DropSchemaAsync(schema);
    }
}
