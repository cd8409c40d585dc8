using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outpost.Backends;
using Outpost.Events;
using Outpost.Flavors;
using Outpost.Hosting;
using Outpost.Hubs;
using Outpost.Operations;
using Outpost.Replicas;
using Outpost.Servers;
using Outpost.Status;
using Outpost.Storage;

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

        services.AddStorage(configuration);
        services.AddHostedService<DatabaseMigrator>(); // first: everything after it reads the schema
        services.AddReplicas(configuration);             // then: background services below wait for leadership
        services.AddHubs(configuration);
        services.AddBackends(configuration);
        services.AddServers(configuration);
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

    private static IServiceCollection AddReplicas(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReplicasOptions>().Bind(configuration.GetSection("Outpost:Replicas")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplicasOptions>, ReplicasOptionsValidator>();
        services.AddSingleton(ReplicaIdentity.Create());
        if ((configuration.GetSection("Outpost:Storage").Get<StorageOptions>() ?? new StorageOptions()).IsPostgres)
        {
            services.AddSingleton<LeaderElection>();
            services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<LeaderElection>());
            services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        }
        else
        {
            services.AddSingleton<ILeadership, SingleReplica>();
        }
        return services;
    }

    private static IServiceCollection AddServers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Dictionary<string, ProfileOptions>>().Bind(configuration.GetSection("Outpost:Profiles")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Dictionary<string, ProfileOptions>>, ServerProfilesValidator>();
        services.AddSingleton<ServerLocks>();
        services.AddSingleton<ServerWorkspace>();
        services.AddSingleton<ServerProfiles>();
        services.AddSingleton<AuthStateCache>();
        services.AddSingleton<ServerLauncher>();
        services.AddSingleton<ServerReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<ServerReconciler>());
        services.AddOptions<Announcements.SshdAnnouncementOptions>().Bind(configuration.GetSection("Outpost:SshdAnnouncements")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Announcements.SshdAnnouncementOptions>, Announcements.SshdAnnouncementOptionsValidator>();
        services.AddHostedService<Announcements.SshdRestartAnnouncer>();
        return services;
    }

    private static IServiceCollection AddFlavors(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(new OriginalFlavorsFile(null));
        services.AddOptions<FlavorsOptions>()
            .Configure<OriginalFlavorsFile>((o, originalFile) =>
            {
                var (config, errors) = FlavorConfigReader.Read(configuration.GetSection(FlavorConfigReader.SectionPath));
                o.Config = config;
                o.Errors = originalFile.Path is null ? errors : [.. errors.Select(originalFile.Describe)];
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FlavorsOptions>, FlavorsOptionsValidator>();
        services.AddSingleton<FlavorCatalog>();
        services.AddSingleton<FlavorUsage>();
        services.AddSingleton<QuotaPolicy>();
        services.AddSingleton<FlavorUpdates>();
        services.AddHostedService<RuntimeLimitSweeper>();
        services.AddHttpClient(Hubs.HubOrphanSweeper.HttpClientName);
        services.AddHostedService<Hubs.HubOrphanSweeper>();
        return services;
    }

    private static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventsOptions>().Bind(configuration.GetSection("Outpost:Events")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        services.AddHttpClient(HubEventRelay.HttpClientName).ConfigurePrimaryHttpMessageHandler(sp =>
        {
            var verify = sp.GetRequiredService<IOptions<EventsOptions>>().Value.VerifyTls;
            return new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = verify ? new() : new() { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
        });
        services.AddSingleton<ServerEvents>();
        services.AddSingleton<HubEventRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<HubEventRelay>());
        return services;
    }
}
