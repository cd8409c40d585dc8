using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Outpost.Hubs;

public static class HubsServiceCollectionExtensions
{
    /// <summary>Hub credentials from <c>Outpost:Hubs</c> and the store, and Basic authentication as the hub.</summary>
    public static IServiceCollection AddHubs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HubsOptions>()
            .Configure(o => configuration.GetSection("Outpost:Hubs").Bind(o.Hubs))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HubsOptions>, HubsOptionsValidator>();
        services.AddSingleton<HubCredentials>();
        services.AddAuthentication(HubAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HubAuthenticationHandler>(HubAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        return services;
    }

    /// <summary>The authenticated hub's name.</summary>
    public static string HubName(this System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("No hub is authenticated.");
}
