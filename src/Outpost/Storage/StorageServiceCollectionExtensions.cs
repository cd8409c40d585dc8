using Microsoft.Extensions.Options;
using Outpost.Hosting;
using Outpost.Storage.Sqlite;

namespace Outpost.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the store of the provider named in <c>Outpost:Storage:Provider</c>.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Outpost:Storage"));
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var dataDir = sp.GetRequiredService<IOptions<OutpostOptions>>().Value.DataDir;
            return SecretProtector.FromConfiguredOrFile(storage.EncryptionKey, Path.Combine(dataDir, "secret.key"));
        });
        services.AddSingleton<ServerSpecCodec>();
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var dataDir = sp.GetRequiredService<IOptions<OutpostOptions>>().Value.DataDir;
            Directory.CreateDirectory(dataDir);
            return new SqliteDatabase(storage.ConnectionString ?? $"Data Source={Path.Combine(dataDir, "outpost.db")}");
        });
        services.AddSingleton<IServerStore, SqliteServerStore>();
        services.AddSingleton<IEventOutbox, SqliteEventOutbox>();
        services.AddSingleton<IHubStore, SqliteHubStore>();
        return services;
    }
}
