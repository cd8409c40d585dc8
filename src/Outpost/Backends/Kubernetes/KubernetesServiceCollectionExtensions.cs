using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outpost.Backends.Kubernetes.Client;

namespace Outpost.Backends.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Kubernetes backend when its section (<c>Outpost:Backends:Kubernetes</c>) exists: options validated
    /// at start-up, one API client, the shared watches and the backend.
    /// </summary>
    public static IServiceCollection AddKubernetesBackend(this IServiceCollection services, IConfigurationSection section)
    {
        if (!section.Exists())
        {
            return services;
        }
        services.AddOptions<KubernetesBackendOptions>().ValidateOnStart();
        services.AddSingleton<IOptionsFactory<KubernetesBackendOptions>>(sp => new KubernetesOptionsFactory(section,
            sp.GetServices<IConfigureOptions<KubernetesBackendOptions>>(),
            sp.GetServices<IPostConfigureOptions<KubernetesBackendOptions>>(),
            sp.GetServices<IValidateOptions<KubernetesBackendOptions>>()));
        services.AddSingleton<IValidateOptions<KubernetesBackendOptions>, KubernetesBackendOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KubernetesBackendOptions>>().Value;
            var config = options.KubeConfigPath is { } path ? KubeClient.FromKubeConfig(path, options.Context) : KubeClient.InCluster();
            return new KubeClient(config, TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
        });
        services.AddSingleton<IKubeApi>(sp => sp.GetRequiredService<KubeClient>());
        services.AddSingleton<KubernetesWatches>();
        services.AddSingleton<KubernetesBackend>();
        services.AddSingleton<IBackend>(sp => sp.GetRequiredService<KubernetesBackend>());
        services.AddSingleton<IOrphanSweeper>(sp => sp.GetRequiredService<KubernetesBackend>());
        return services;
    }
}
