using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Outpost.Hubs;

public static class HubsServiceCollectionExtensions
{
    /// <summary>Hub credentials from <c>Outpost:Hubs</c> and the store, and Basic authentication as the hub.</summary>
    public static IServiceCollection AddHubs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HubsOptions>()
            .Configure(o =>
            {
                Bind(configuration.GetSection(HubNames.SectionPath), o);
                o.NameCollisions = HubNames.Collisions(HubNames.ConfiguredSpellings(configuration));
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HubsOptions>, HubsOptionsValidator>();
        services.AddOptions<AuthLimitsOptions>().Bind(configuration.GetSection(AuthLimitsOptionsValidator.SectionPath)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthLimitsOptions>, AuthLimitsOptionsValidator>();
        services.AddSingleton<HubCredentials>();
        services.AddSingleton<HubAuthLimiter>();
        // Not AddAuthentication(): it also registers ASP.NET Core Data Protection, whose hosted service loads
        // (or creates and writes) an XML key ring at start-up, costing start-up time and about 4 MiB of
        // memory; the hubs' Basic authentication never uses it. These are the parts it needs.
        services.AddAuthenticationCore(o => o.DefaultScheme = HubAuthenticationHandler.SchemeName);
        services.AddWebEncoders();
        new AuthenticationBuilder(services)
            .AddScheme<AuthenticationSchemeOptions, HubAuthenticationHandler>(HubAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        return services;
    }

    private static void Bind(IConfigurationSection section, HubsOptions options)
    {
        section.Bind(options.Hubs);
        foreach (var (name, hub) in options.Hubs)
        {
            // "[]" in JSON leaves only a key without value, which the binder ignores; here it means "none".
            var keys = section.GetSection(name).GetChildren().Where(c => c.Value is null or "" && !c.GetChildren().Any()).Select(c => c.Key).ToList();
            hub.AllowedMisc = keys.Contains(nameof(HubOptions.AllowedMisc), StringComparer.OrdinalIgnoreCase) ? [] : hub.AllowedMisc;
            hub.AllowedUserOptions = keys.Contains(nameof(HubOptions.AllowedUserOptions), StringComparer.OrdinalIgnoreCase) ? [] : hub.AllowedUserOptions;
        }
    }

    /// <summary>The authenticated hub's name.</summary>
    public static string HubName(this System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("No hub is authenticated.");
}
