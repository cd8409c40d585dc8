using Microsoft.Extensions.Options;
using Outpost.Announcements;
using Outpost.Backends;
using Outpost.Events;
using Outpost.Flavors;
using Outpost.Hosting;
using Outpost.Hubs;
using Outpost.Operations;
using Outpost.Processes;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Status;
using Outpost.Storage;
using Outpost.Wire;

namespace Outpost;

public static class OutpostServiceCollectionExtensions
{
    /// <summary>Everything the Outpost is made of: storage, hubs, backends, servers, events, operations.</summary>
    public static IServiceCollection AddOutpost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutpostOptions>().Bind(configuration.GetSection("Outpost")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OutpostOptions>, OutpostOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ICommandRunner, ProcessCommandRunner>();

        var storage = StorageProvider.From(configuration); // once: it chooses both the stores and the leadership
        services.AddStorage(configuration, storage);
        services.AddHostedService<DatabaseMigrator>(); // first: everything after it reads the schema
        services.AddReplicas(configuration, storage);  // then: background services below wait for leadership
        services.AddHubs(configuration);
        services.AddBackends(configuration);
        services.AddServers(configuration);
        services.AddSshdAnnouncements(configuration);
        services.AddEvents(configuration);
        services.AddFlavors(configuration);

        services.AddOperations();
        services.AddStatusPage(configuration);
        services.AddOpenApi();
        // Bodies are written with compile-time serialization code (no reflection), which Native AOT requires.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, Admin.AdminJsonContext.Default);
        });
        return services;
    }
}
