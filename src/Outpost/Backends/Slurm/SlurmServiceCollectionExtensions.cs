using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outpost.Processes;

namespace Outpost.Backends.Slurm;

public static class SlurmServiceCollectionExtensions
{
    /// <summary>Registers the Slurm backend when its configuration section exists; validates its options at start-up.</summary>
    public static IServiceCollection AddSlurmBackend(this IServiceCollection services, IConfigurationSection section)
    {
        if (!section.Exists())
        {
            return services;
        }
        services.AddOptions<SlurmBackendOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SlurmBackendOptions>, SlurmBackendOptionsValidator>();
        services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(SlurmBackend.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<SlurmBackend>();
        services.AddSingleton<IBackend>(sp => sp.GetRequiredService<SlurmBackend>());
        return services;
    }
}
