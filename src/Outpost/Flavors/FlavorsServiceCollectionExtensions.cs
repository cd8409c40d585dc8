using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Outpost.Flavors;

public static class FlavorsServiceCollectionExtensions
{
    /// <summary>Flavors from <c>Outpost:Flavors</c> (or the original's flavors file): quotas, usage updates to hubs, runtime limits.</summary>
    public static IServiceCollection AddFlavors(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(new OriginalFlavorsFile(null));
        services.AddOptions<StartupFlavorConfig>()
            .Configure<OriginalFlavorsFile>((o, originalFile) =>
            {
                var (config, errors) = FlavorConfigReader.Read(configuration.GetSection(FlavorConfigReader.SectionPath));
                o.Config = config;
                o.Errors = originalFile.Path is null ? errors : [.. errors.Select(originalFile.Describe)];
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StartupFlavorConfig>, StartupFlavorConfigValidator>();
        services.AddSingleton<FlavorCatalog>();
        services.AddSingleton<FlavorUsage>();
        services.AddSingleton<QuotaPolicy>();
        services.AddSingleton<FlavorUpdates>();
        services.AddHostedService<RuntimeLimitSweeper>();
        return services;
    }
}
