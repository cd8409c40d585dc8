using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outpost.Storage;
using Outpost.Storage.Postgres;
using Outpost.Tests.Fakes;
using Outpost.Tests.Storage.Postgres;

namespace Outpost.Tests.Storage;

public sealed class DatabaseMigratorTests
{
    private readonly RecordingLogger<DatabaseMigrator> _logger = new();

    [Fact]
    public async Task StartAsync_DatabaseComesUpAfterTwoTries_WaitsLogsAndMigrates()
    {
        var database = new ScriptedDatabase(transientFailures: 2);

        await Migrator(database, timeoutSeconds: 30).StartAsync(CancellationToken.None);

        Assert.Equal(3, database.Attempts);
        Assert.Equal(2, _logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("Waiting for the Fake database at fake-host:1/db")));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("attempt 3"));
    }

    [Fact]
    public async Task StartAsync_PermanentError_FailsAtOnceWithWhereAndWhy()
    {
        var database = new ScriptedDatabase(transientFailures: 0, permanent: true);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Migrator(database, timeoutSeconds: 30).StartAsync(CancellationToken.None));

        Assert.Equal(1, database.Attempts);
        Assert.Equal("The Fake database at fake-host:1/db cannot be used: password authentication failed", error.Message);
    }

    [Fact]
    public async Task StartAsync_PostgresNeverReachable_FailsAfterTheTimeout_WithoutThePassword()
    {
        const string password = "pw-never-log-4c1d";
        var port = PostgresDatabaseTests.ClosedPort();
        await using var database = new PostgresDatabase($"Host=127.0.0.1;Port={port};Database=outpost;Username=op;Password={password};Timeout=2");
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Migrator(database, timeoutSeconds: 2).StartAsync(CancellationToken.None));

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        Assert.StartsWith($"The Postgres database at 127.0.0.1:{port}/outpost was not reachable within 2 s (", error.Message);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"Waiting for the Postgres database at 127.0.0.1:{port}/outpost"));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Critical);
        Assert.DoesNotContain(password, error.ToString());
        Assert.DoesNotContain(password, _logger.AllText);
    }

    private DatabaseMigrator Migrator(IDatabase database, int timeoutSeconds) =>
        new(database, Options.Create(new StorageOptions { StartupTimeoutSeconds = timeoutSeconds }), TimeProvider.System, _logger);

    /// <summary>Fails the first <c>transientFailures</c> migrations as a database that is still starting would.</summary>
    private sealed class ScriptedDatabase(int transientFailures, bool permanent = false) : IDatabase
    {
        public int Attempts { get; private set; }

        public string Provider => "Fake";

        public string Location => "fake-host:1/db";

        public Task MigrateAsync(CancellationToken cancellationToken = default)
        {
            Attempts++;
            if (permanent)
            {
                throw new InvalidOperationException("password authentication failed");
            }
            return Attempts <= transientFailures ? throw new TimeoutException("still starting") : Task.CompletedTask;
        }

        public Task CheckAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public bool IsTransient(Exception exception) => exception is TimeoutException;
    }
}
