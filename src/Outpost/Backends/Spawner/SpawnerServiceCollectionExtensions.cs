using Microsoft.Extensions.Options;
using Outpost.Servers;

namespace Outpost.Backends.Spawner;

public static class SpawnerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a spawner backend for the section named <c>Spawner</c> and for every other section under
    /// <c>Outpost:Backends</c> with <c>Type: Spawner</c>, each with its own host, under its section's name.
    /// </summary>
    public static IServiceCollection AddSpawnerBackends(this IServiceCollection services, IConfigurationSection backends)
    {
        var sections = backends.GetChildren().Where(IsSpawnerSection).ToList();
        if (sections.Count == 0)
        {
            return services;
        }
        services.AddSingleton<IValidateOptions<SpawnerBackendOptions>, SpawnerBackendOptionsValidator>();
        foreach (var section in sections)
        {
            var name = section.Key;
            services.AddOptions<SpawnerBackendOptions>(name).Bind(section).ValidateOnStart();
            services.AddKeyedSingleton(name, (sp, _) => new SpawnerBackend(
                name,
                sp.GetRequiredService<IOptionsMonitor<SpawnerBackendOptions>>().Get(name),
                sp.GetRequiredService<AuthStateCache>(),
                sp.GetRequiredService<ILogger<SpawnerBackend>>()));
            services.AddSingleton<IBackend>(sp => sp.GetRequiredKeyedService<SpawnerBackend>(name));
        }
        services.AddHostedService<SpawnerConfigCheck>();
        return services;
    }

    private static bool IsSpawnerSection(IConfigurationSection section) =>
        section.Key.Equals(SpawnerBackendOptions.TypeName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(section[nameof(SpawnerBackendOptions.Type)], SpawnerBackendOptions.TypeName, StringComparison.OrdinalIgnoreCase);
}
