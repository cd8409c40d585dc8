using Outpost.Backends.Containers;
using Outpost.Backends.Kubernetes;
using Outpost.Backends.LocalProcess;
using Outpost.Backends.Slurm;
using Outpost.Backends.Spawner;
using Outpost.Backends.SshHosts;

namespace Outpost.Backends;

public static class BackendsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the backends configured under <c>Outpost:Backends</c>. Each backend is opt-in by its
    /// section, except the local-process backend, which is the embedded default when nothing is configured.
    /// </summary>
    public static IServiceCollection AddBackends(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Outpost:Backends");
        services.AddOptions<BackendsOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<BackendsOptions>, BackendsOptionsValidator>();
        services.AddSingleton<BackendCatalog>();

        services.AddLocalProcessBackend(section.GetSection(BackendNames.Local), isDefault: !HasOtherBackends(section));
        services.AddKubernetesBackend(section.GetSection(BackendNames.Kubernetes));
        // Further backends register here, one line each, e.g. services.AddSlurmBackend(section.GetSection(BackendNames.Slurm));
        services.AddSlurmBackend(section.GetSection(BackendNames.Slurm));
        GridEngine.GridEngineServiceCollectionExtensions.AddGridEngineBackend(services, section.GetSection(GridEngine.GridEngineBackendOptions.SectionName));
        services.AddSpawnerBackends(section);
        services.AddSshHostsBackend(section.GetSection(BackendNames.SshHosts));
        services.AddContainerBackend(section.GetSection(BackendNames.Containers));
        return services;
    }

    private static bool HasOtherBackends(IConfigurationSection section) =>
        section.GetChildren().Any(c => c.Key is not (BackendNames.Local or nameof(BackendsOptions.Default)));
}
