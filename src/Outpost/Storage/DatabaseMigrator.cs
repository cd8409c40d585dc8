using Outpost.Storage.Sqlite;

namespace Outpost.Storage;

/// <summary>Brings the schema up to date before anything else touches the database.</summary>
public sealed class DatabaseMigrator(SqliteDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
