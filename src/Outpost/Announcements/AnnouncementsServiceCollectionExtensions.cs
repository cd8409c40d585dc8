using Microsoft.Extensions.Options;

namespace Outpost.Announcements;

public static class AnnouncementsServiceCollectionExtensions
{
    /// <summary>Tells hubs with running servers when the Outpost or its sshd restarted (<c>Outpost:SshdAnnouncements</c>).</summary>
    public static IServiceCollection AddSshdAnnouncements(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SshdAnnouncementOptions>().Bind(configuration.GetSection("Outpost:SshdAnnouncements")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SshdAnnouncementOptions>, SshdAnnouncementOptionsValidator>();
        services.AddHostedService<SshdRestartAnnouncer>();
        return services;
    }
}
