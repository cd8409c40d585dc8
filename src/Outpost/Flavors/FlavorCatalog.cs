using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Outpost.Hosting;

namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration in force. When the Outpost runs with a configuration file, the flavors
/// follow changes of that file; a change that does not parse or has errors is logged and ignored, so
/// the last good configuration stays in force.
/// </summary>
public sealed partial class FlavorCatalog : IDisposable
{
    private readonly ConfigFile _file;
    private readonly ILogger<FlavorCatalog> _logger;
    private readonly PhysicalFileProvider? _watcher;
    private readonly IDisposable? _subscription;
    private volatile FlavorConfig _current;

    public FlavorCatalog(IOptions<FlavorsOptions> initial, ConfigFile file, ILogger<FlavorCatalog> logger)
    {
        _file = file;
        _logger = logger;
        _current = initial.Value.Config;
        if (file.Path is { } path)
        {
            _watcher = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(path)!);
            var name = System.IO.Path.GetFileName(path);
            _subscription = ChangeToken.OnChange(() => _watcher.Watch(name), Reload);
        }
    }

    public FlavorConfig Current => _current;

    public void Dispose()
    {
        _subscription?.Dispose();
        _watcher?.Dispose();
    }

    internal void Reload()
    {
        try
        {
            Thread.Sleep(200); // editors write in steps; read once the write has settled
            var (config, errors) = FlavorConfigReader.Read(_file.Read().GetSection(FlavorConfigReader.SectionPath));
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
