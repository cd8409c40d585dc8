using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Outpost.Hubs;

namespace Outpost.Tests.Hubs;

public sealed class HubsServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddHubs_HubScheme_IsTheDefault()
    {
        await using var services = Build();

        var scheme = await services.GetRequiredService<IAuthenticationSchemeProvider>().GetDefaultAuthenticateSchemeAsync();

        Assert.Equal(HubAuthenticationHandler.SchemeName, scheme?.Name);
        Assert.Equal(typeof(HubAuthenticationHandler), scheme?.HandlerType);
    }

    [Fact]
    public async Task AddHubs_NoDataProtection_NoKeyRingLoadedAtStartUp()
    {
        await using var services = Build();

        Assert.Null(services.GetService(Type.GetType("Microsoft.AspNetCore.DataProtection.IDataProtectionProvider, Microsoft.AspNetCore.DataProtection.Abstractions")!));
        Assert.DoesNotContain(services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("DataProtection", StringComparison.Ordinal));
    }

    private static ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHubs(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    }
}
