using System.Net;
using System.Security.Cryptography;
using Npgsql;
using Outpost.Tests.Storage.Postgres;

namespace Outpost.IntegrationTests.Storage;

/// <summary>`outpost serve` and `outpost check` with the PostgreSQL provider: waiting for the database, and failing clearly (more of check in Checks/PostgresCheckCommandTests).</summary>
public sealed class PostgresStartupTests
{
    private static Dictionary<string, string> Postgres(string connectionString, int timeoutSeconds = 60) => new()
    {
        ["Outpost__Storage__Provider"] = "Postgres",
        ["Outpost__Storage__ConnectionString"] = connectionString,
        ["Outpost__Storage__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Outpost__Storage__StartupTimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Serve_DatabaseNeverReachable_WaitsThenFailsWithWhereAndWhy_NeverThePassword()
    {
        const string password = "db-password-5f0e-secret";
        await using var closed = new TcpForwarder(1); // never opened: connections are refused
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-down-").FullName;

        var (exitCode, output, errors) = await CommandLineTests.RunWithEnvAsync(dataDir,
            Postgres($"Host=127.0.0.1;Port={closed.Port};Database=outpost;Username=op;Password={password}", timeoutSeconds: 3),
            "serve", "--urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        Assert.Contains($"outpost: The Postgres database at 127.0.0.1:{closed.Port}/outpost was not reachable within 3 s", errors);
        Assert.Contains($"Waiting for the Postgres database at 127.0.0.1:{closed.Port}/outpost", output);
        Assert.DoesNotContain(password, output + errors);
    }

    [Fact]
    public async Task Serve_DatabaseComesUpLate_WaitsForIt_ThenServes()
    {
        var server = await PostgresServer.SharedAsync();
        var schema = await server.CreateSchemaAsync();
        var real = new NpgsqlConnectionStringBuilder(server.ConnectionStringFor(schema));
        await using var later = new TcpForwarder(real.Port);
        real.Port = later.Port;
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-late-").FullName;
        var logFile = Path.Combine(dataDir, "outpost.log");
        var settings = Postgres(real.ToString()).ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => p.Value);
        settings["Logging:LogLevel:Outpost.Storage"] = "Information";

        var starting = OutpostProcess.StartAsync(dataDir, logFile: logFile, extra: settings);
        // Open the database only once the Outpost has said it waits: a fixed delay raced a slow start-up on a busy machine.
        await WaitForLogAsync(logFile, "Waiting for the Postgres database", TimeSpan.FromSeconds(60));
        later.Open();
        await using var outpost = await starting;

        using var client = outpost.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/services")).StatusCode);
        var log = await File.ReadAllTextAsync(logFile);
        Assert.Contains($"Waiting for the Postgres database at 127.0.0.1:{later.Port}/postgres", log);
        Assert.Matches("schema up to date \\(attempt [2-9]", log);
        Assert.DoesNotContain(real.Password!, log);
        await server.DropSchemaAsync(schema);
    }

    [Fact]
    public async Task Check_PostgresWithoutConnectionStringOrKey_NamesBothKeys()
    {
        var dataDir = Directory.CreateTempSubdirectory("outpost-pg-config-").FullName;

        var (exitCode, output, _) = await CommandLineTests.RunWithEnvAsync(dataDir, new() { ["Outpost__Storage__Provider"] = "Postgres" }, "check");

        Assert.Equal(2, exitCode);
        Assert.Contains("Outpost:Storage:ConnectionString is required", output);
        Assert.Contains("Outpost:Storage:EncryptionKey is required", output);
    }

    private static async Task WaitForLogAsync(string logFile, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(logFile))
            {
                await using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if ((await new StreamReader(stream).ReadToEndAsync()).Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"'{text}' did not appear in {logFile} within {timeout.TotalSeconds} s");
    }
}
