using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outpost.Processes;

namespace Outpost.Backends.SshHosts;

public static class SshHostsServiceCollectionExtensions
{
    /// <summary>Registers the SSH hosts backend when its configuration section exists; validates its options at start-up.</summary>
    public static IServiceCollection AddSshHostsBackend(this IServiceCollection services, IConfigurationSection section)
    {
        if (!section.Exists())
        {
            return services;
        }
        services.AddOptions<SshHostsBackendOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SshHostsBackendOptions>, SshHostsBackendOptionsValidator>();
        services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SshHostsBackend>();
        services.AddSingleton<IBackend>(sp => sp.GetRequiredService<SshHostsBackend>());
        return services;
    }
}
