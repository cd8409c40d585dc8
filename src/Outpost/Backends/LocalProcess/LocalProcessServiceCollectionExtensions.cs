namespace Outpost.Backends.LocalProcess;

public static class LocalProcessServiceCollectionExtensions
{
    /// <summary>Registers the local-process backend when its section exists, or always when it is the default.</summary>
    public static IServiceCollection AddLocalProcessBackend(this IServiceCollection services, IConfigurationSection section, bool isDefault)
    {
        if (!section.Exists() && !isDefault)
        {
            return services;
        }
        services.AddOptions<LocalProcessBackendOptions>()
            .Bind(section)
            .PostConfigure(o => o.Command = o.Command.Length == 0 ? LocalProcessBackendOptions.DefaultCommand : o.Command)
            .ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LocalProcessBackendOptions>, LocalProcessBackendOptionsValidator>();
        services.AddSingleton<LocalProcessBackend>();
        services.AddSingleton<IBackend>(sp => sp.GetRequiredService<LocalProcessBackend>());
        return services;
    }
}
