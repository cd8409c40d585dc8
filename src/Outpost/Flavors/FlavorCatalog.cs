using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Outpost.Hosting;
using Outpost.Operations;

namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration in force. When the Outpost runs with a configuration file, or with the original Outpost's
/// flavors file, the flavors follow changes of those files; a change that does not parse or has errors is logged and
/// ignored, so the last good configuration stays in force.
/// </summary>
public sealed partial class FlavorCatalog : IDisposable
{
    private readonly ConfigFile _file;
    private readonly OriginalFlavorsFile _originalFile;
    private readonly ILogger<FlavorCatalog> _logger;
    private readonly List<IDisposable> _watches = [];
    private volatile FlavorConfig _current;

    public FlavorCatalog(IOptions<StartupFlavorConfig> initial, ConfigFile file, OriginalFlavorsFile originalFile, ILogger<FlavorCatalog> logger)
    {
        _file = file;
        _originalFile = originalFile;
        _logger = logger;
        _current = initial.Value.Config;
        foreach (var path in new[] { file.Path, originalFile.Path }.OfType<string>())
        {
            var watcher = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(path)!);
            var name = System.IO.Path.GetFileName(path);
            _watches.Add(ChangeToken.OnChange(() => watcher.Watch(name), Reload));
            _watches.Add(watcher);
        }
    }

    public FlavorConfig Current => _current;

    public void Dispose()
    {
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }
    }

    internal void Reload()
    {
        try
        {
            Thread.Sleep(200); // editors write in steps; read once the write has settled
            // Layered as at start-up: the original flavors file below the configuration file.
            var builder = new ConfigurationBuilder();
            if (_originalFile.Path is { } flavorsPath)
            {
                builder.Add(OriginalFlavorsFile.SourceFor(flavorsPath));
            }
            if (_file.Path is { } configPath)
            {
                builder.Add(ConfigFile.SourceFor(configPath));
            }
            var (config, errors) = FlavorConfigReader.Read(builder.Build().GetSection(FlavorConfigReader.SectionPath));
            if (errors.Count > 0)
            {
                Log.ReloadRejected(_logger, string.Join(" ", errors));
                return;
            }
            _current = config;
            Log.Reloaded(_logger, config.Flavors.Count);
        }
        catch (Exception ex) // a reload runs on a background callback: nothing may escape it
        {
            Log.ReloadRejected(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.FlavorsReloaded, Level = LogLevel.Information, Message = "Flavor configuration reloaded ({Count} flavors)")]
        public static partial void Reloaded(ILogger logger, int count);

        [LoggerMessage(EventId = LogEvents.FlavorsReloadRejected, Level = LogLevel.Error, Message = "Changed flavor configuration ignored, the previous one stays in force: {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}
