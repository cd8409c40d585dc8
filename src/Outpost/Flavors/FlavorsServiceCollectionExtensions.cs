using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Outpost.Flavors;

public static class FlavorsServiceCollectionExtensions
{
    /// <summary>Flavors from <c>Outpost:Flavors</c> (or the original's flavors file): quotas, usage updates to hubs, runtime limits.</summary>
    public static IServiceCollection AddFlavors(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(new OriginalFlavorsFile(null));
        // The start-up read: its configuration becomes the options, its errors stop the start (the validator).
        services.AddSingleton(sp =>
        {
            var originalFile = sp.GetRequiredService<OriginalFlavorsFile>();
            var (config, errors) = FlavorConfigReader.Read(configuration.GetSection(FlavorConfigReader.SectionPath));
            return new ParsedFlavorConfig(config, originalFile.Path is null ? errors : [.. errors.Select(originalFile.Describe)]);
        });
        services.AddOptions<StartupFlavorConfig>()
            .Configure<ParsedFlavorConfig>((o, startupRead) => o.Config = startupRead.Config)
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
