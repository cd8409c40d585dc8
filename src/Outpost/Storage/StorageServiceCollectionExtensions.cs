using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Storage.Postgres;
using Outpost.Storage.Sqlite;

namespace Outpost.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the stores of <paramref name="provider"/> ("Sqlite" or "Postgres" in <c>Outpost:Storage:Provider</c>).</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration, StorageProvider provider)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Outpost:Storage")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var dataDir = sp.GetRequiredService<IOptions<OutpostOptions>>().Value.DataDir;
            if (string.IsNullOrWhiteSpace(storage.EncryptionKey))
            {
                DataDirectory.Ensure(dataDir); // the key file goes there
            }
            return SecretProtector.FromConfiguredOrFile(storage.EncryptionKey, Path.Combine(dataDir, "secret.key"));
        });
        services.AddSingleton<ServerSpecCodec>();
        if (provider.IsPostgres)
        {
            services.AddPostgres();
        }
        else
        {
            services.AddSqlite();
        }
        return services;
    }

    private static void AddSqlite(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var dataDir = sp.GetRequiredService<IOptions<OutpostOptions>>().Value.DataDir;
            DataDirectory.Ensure(dataDir);
            var connectionString = ReadOnlyDatabase.SqliteConnectionString(storage, dataDir);
            DataDirectory.RestrictSqliteFiles(connectionString);
            return new SqliteDatabase(connectionString);
        });
        services.AddSingleton<IDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<IServerStore, SqliteServerStore>();
        services.AddSingleton<IEventOutbox, SqliteEventOutbox>();
        services.AddSingleton<IHubStore, SqliteHubStore>();
        services.AddSingleton<ILeaseStore, SqliteLeaseStore>();
        services.AddSingleton<IOperationsStore, SqliteOperationsStore>();
    }

    private static void AddPostgres(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PostgresDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString ?? ""));
        services.AddSingleton<IDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
        services.AddSingleton<IServerStore, PostgresServerStore>();
        services.AddSingleton<IEventOutbox, PostgresEventOutbox>();
        services.AddSingleton<IHubStore, PostgresHubStore>();
        services.AddSingleton<ILeaseStore, PostgresLeaseStore>();
        services.AddSingleton<IOperationsStore, PostgresOperationsStore>();
    }
}
