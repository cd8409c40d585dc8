using Microsoft.Extensions.Options;

namespace Outpost.Servers;

public static class ServersServiceCollectionExtensions
{
    /// <summary>The server use cases (start, poll, stop, list), the services they share, and the reconciler.</summary>
    public static IServiceCollection AddServers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Dictionary<string, ProfileOptions>>().Bind(configuration.GetSection("Outpost:Profiles")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Dictionary<string, ProfileOptions>>, ServerProfilesValidator>();
        services.AddSingleton<ServerLocks>();
        services.AddSingleton<ServerWorkspace>();
        services.AddSingleton<ServerProfiles>();
        services.AddSingleton<AuthStateCache>();
        services.AddSingleton<StartsInFlight>();
        services.AddSingleton<ServerLogs>();
        services.AddSingleton<ServerRemoval>();
        services.AddSingleton<ServerStopper>();
        services.AddSingleton<StartRunner>();
        services.AddSingleton<ServerStarter>();
        services.AddSingleton<ServerExpiry>();
        services.AddSingleton<ServerRecovery>();

        services.AddSingleton<StartServer>();
        services.AddSingleton<PollServer>();
        services.AddSingleton<StopServer>();
        services.AddSingleton<ListServers>();

        services.AddSingleton<ServerReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<ServerReconciler>());
        // Asks each hub which of its servers it still knows (Outpost:Hubs:<hub>:Cleanup) and stops the rest.
        services.AddHttpClient(HubOrphanSweeper.HttpClientName);
        services.AddHostedService<HubOrphanSweeper>();
        return services;
    }
}
