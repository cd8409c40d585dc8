using Microsoft.Extensions.Configuration.Json;

namespace Outpost.Hosting;

/// <summary>
/// The configuration file the Outpost was started with (<c>--config</c> / <c>OUTPOST_CONFIG</c>), if any.
/// Parts that may change at run time (flavors) re-read it themselves, so a file that does not parse
/// leaves the running configuration untouched (a reloading provider would clear its data instead).
/// </summary>
public sealed class ConfigFile(string? path)
{
    public string? Path { get; } = path;

    /// <summary>A JSON or YAML source for <paramref name="path"/>, by its extension.</summary>
    public static IConfigurationSource SourceFor(string path)
    {
        FileConfigurationSource source = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? new YamlConfigurationSource(path)
            : new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        return source;
    }

    /// <summary>Reads the file afresh; throws when it is missing or does not parse.</summary>
    public IConfiguration Read() => new ConfigurationBuilder().Add(SourceFor(Path ?? throw new InvalidOperationException("No configuration file."))).Build();
}
