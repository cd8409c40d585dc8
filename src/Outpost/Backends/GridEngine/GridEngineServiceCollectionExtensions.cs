using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outpost.Processes;

namespace Outpost.Backends.GridEngine;

public static class GridEngineServiceCollectionExtensions
{
    /// <summary>Registers the Grid Engine backend when its configuration section exists; validates its options at start-up.</summary>
    public static IServiceCollection AddGridEngineBackend(this IServiceCollection services, IConfigurationSection section)
    {
        if (!section.Exists())
        {
            return services;
        }
        services.AddOptions<GridEngineBackendOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GridEngineBackendOptions>, GridEngineBackendOptionsValidator>();
        services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(GridEngineBackend.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<GridEngineBackend>();
        services.AddSingleton<IBackend>(sp => sp.GetRequiredService<GridEngineBackend>());
        return services;
    }
}
