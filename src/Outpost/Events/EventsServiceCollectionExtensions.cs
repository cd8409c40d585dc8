using Microsoft.Extensions.Options;

namespace Outpost.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>The durable outbox's relay to hubs (progress events, flavor usage, announcements) and the server events written to it.</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventsOptions>().Bind(configuration.GetSection("Outpost:Events")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        services.AddHttpClient(OutboxRelay.HttpClientName).ConfigurePrimaryHttpMessageHandler(sp =>
        {
            var verify = sp.GetRequiredService<IOptions<EventsOptions>>().Value.VerifyTls;
            return new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = verify ? new() : new() { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            };
        });
        services.AddSingleton<ServerEvents>();
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        return services;
    }
}
