using Npgsql;
using Outpost.Replicas;
using Outpost.Storage;
using Outpost.Storage.Postgres;

namespace Outpost.Tests.Storage.Postgres;

/// <summary>A migrated private schema in the tests' PostgreSQL.</summary>
public sealed class PostgresStoreFixture : StoreFixture
{
    private PostgresServer _server = null!;
    private string _schema = "";

    public PostgresDatabase Database { get; private set; } = null!;

    public string ConnectionString => _server.ConnectionStringFor(_schema);

    public override IServerStore ServersOf(ReplicaIdentity replica) => new PostgresServerStore(Database, Codec, replica, Time);

    public override ILeaseStore CreateLeaseStore(TimeProvider time) => new PostgresLeaseStore(Database, time);

    /// <summary>Every value of every table, bytea as raw bytes and everything else as UTF-8 text.</summary>
    public override async Task<byte[]> RawBytesAsync()
    {
        var bytes = new List<byte>();
        await using var connection = await Database.OpenAsync();
        foreach (var table in new[] { "servers", "events", "hubs", "leases" })
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM {table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    bytes.AddRange(reader.IsDBNull(i) ? [] : reader.GetValue(i) is byte[] raw ? raw : System.Text.Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? ""));
                }
            }
        }
        return [.. bytes];
    }

    public override async ValueTask DisposeAsync()
    {
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
        if (_schema.Length > 0)
        {
            await _server.DropSchemaAsync(_schema);
        }
    }

    protected override async Task CreateAsync()
    {
        _server = await PostgresServer.SharedAsync();
        _schema = await _server.CreateSchemaAsync();
        Database = new PostgresDatabase(ConnectionString);
        await Database.MigrateAsync();
    }

    protected override IEventOutbox CreateOutbox() => new PostgresEventOutbox(Database, Protector, Time);

    protected override IHubStore CreateHubStore() => new PostgresHubStore(Database, Time);

    protected override IOperationsStore CreateOperationsStore() => new PostgresOperationsStore(Database);
}
