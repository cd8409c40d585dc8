using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Outpost.Processes;

namespace Outpost.Tests.Storage.Postgres;

/// <summary>
/// The real PostgreSQL (Debian package) the storage tests run against, on 127.0.0.1. It is the one named
/// by <c>OUTPOST_TEST_POSTGRES</c> (a connection string; <c>scripts/test</c> starts one with
/// <c>scripts/postgres-env up</c>), or else a private cluster this test process starts with the same script
/// in a temp folder on a free port, and that is stopped when the process is gone. Each test gets its own schema.
/// When PostgreSQL cannot be started the tests fail with the reason.
/// </summary>
public sealed class PostgresServer
{
    public const string EnvironmentVariable = "OUTPOST_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private PostgresServer(string connectionString) => ConnectionString = connectionString;

    /// <summary>Connection string of the <c>postgres</c> database as superuser.</summary>
    public string ConnectionString { get; }

    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>A new empty schema; <see cref="ConnectionStringFor"/> makes it the only one a connection sees first.</summary>
    public async Task<string> CreateSchemaAsync()
    {
        var schema = $"t_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE SCHEMA {schema}");
        return schema;
    }

    public Task DropSchemaAsync(string schema) => ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");

    public string ConnectionStringFor(string schema) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema, ApplicationName = "outpost-tests" }.ToString();

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            var server = new PostgresServer(new NpgsqlConnectionStringBuilder(given) { Pooling = false }.ToString());
            try
            {
                await server.ExecuteAsync("SELECT 1");
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"{EnvironmentVariable} names a PostgreSQL that does not answer: {ex.Message}", ex);
            }
            return server;
        }
        var script = Path.Combine(RepositoryRoot(), "scripts", "postgres-env");
        var environment = new Dictionary<string, string?>
        {
            ["OUTPOST_PG_DIR"] = Path.Combine(Path.GetTempPath(), $"outpost-pg-tests-{Environment.ProcessId}"),
            ["OUTPOST_PG_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var runner = new ProcessCommandRunner();
        var up = await runner.RunAsync(new CommandSpec { FileName = script, Arguments = ["up"], Environment = environment, Timeout = TimeSpan.FromMinutes(5) }, default);
        if (!up.Succeeded)
        {
            throw new InvalidOperationException(
                $"PostgreSQL for the storage tests could not be started: scripts/postgres-env up exited with {up.ExitCode}: {up.StandardError.Trim()}. " +
                $"Run the tests as root on Debian with the postgresql package (scripts/install-deps), or set {EnvironmentVariable} to the connection string of a running PostgreSQL.");
        }
        StopWhenThisProcessEnds(script, environment);
        return new PostgresServer(new NpgsqlConnectionStringBuilder(up.StandardOutput.Trim().Split('\n')[^1]) { Pooling = false }.ToString());
    }

    /// <summary>
    /// Stops the private cluster once this test process is gone, however it ends. A ProcessExit handler was not
    /// enough: the test runner may kill its test host right after the last test, and clusters were left running.
    /// A shell in its own session waits for this process to end, then runs <c>postgres-env down</c>.
    /// </summary>
    private static void StopWhenThisProcessEnds(string script, Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        string[] args =
        [
            "/bin/sh", "-c", "while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; exec \"$2\" down >/dev/null 2>&1",
            "postgres-watchdog", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), script,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        Process.Start(start)?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "postgres-env")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("scripts/postgres-env not found above " + AppContext.BaseDirectory);
    }
}
