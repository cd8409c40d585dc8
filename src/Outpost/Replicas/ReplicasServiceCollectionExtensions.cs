using Microsoft.Extensions.Options;
using Outpost.Storage;

namespace Outpost.Replicas;

public static class ReplicasServiceCollectionExtensions
{
    /// <summary>This replica's identity and leadership: elected over PostgreSQL, always the leader with SQLite.</summary>
    public static IServiceCollection AddReplicas(this IServiceCollection services, IConfiguration configuration, StorageProvider storage)
    {
        services.AddOptions<ReplicasOptions>().Bind(configuration.GetSection("Outpost:Replicas")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplicasOptions>, ReplicasOptionsValidator>();
        services.AddSingleton(ReplicaIdentity.Create());
        if (storage.IsPostgres)
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
}
