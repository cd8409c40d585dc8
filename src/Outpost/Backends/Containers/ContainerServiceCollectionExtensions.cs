using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Outpost.Backends.Containers.Docker;

namespace Outpost.Backends.Containers;

public static class ContainerServiceCollectionExtensions
{
    /// <summary>Registers the container backend when its section (<c>Outpost:Backends:Containers</c>) exists.</summary>
    public static IServiceCollection AddContainerBackend(this IServiceCollection services, IConfigurationSection section)
    {
        if (!section.Exists())
        {
            return services;
        }
        services.AddOptions<ContainerBackendOptions>()
            .Bind(section)
            .PostConfigure(o => o.Command = o.Command.Length == 0 ? ContainerBackendOptions.DefaultCommand : o.Command)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ContainerBackendOptions>, ContainerBackendOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ContainerBackendOptions>>().Value;
            var tls = o.TlsCaFile is { } ca && o.TlsCertFile is { } cert && o.TlsKeyFile is { } key ? new DockerTls(ca, cert, key) : null;
            return new DockerClient(o.Endpoint, o.ApiVersion, TimeSpan.FromSeconds(o.RequestTimeoutSeconds), tls);
        });
        services.AddSingleton<ContainerBackend>();
        services.AddSingleton<IBackend>(sp => sp.GetRequiredService<ContainerBackend>());
        services.AddSingleton<IOrphanSweeper>(sp => sp.GetRequiredService<ContainerBackend>());
        return services;
    }
}
