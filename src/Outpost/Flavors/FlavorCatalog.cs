using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Outpost.Hosting;

namespace Outpost.Flavors;

/// <summary>
/// The flavor configuration in force. It follows changes of the configuration file; a change with
/// errors is logged and ignored, so the last good configuration stays in force.
/// </summary>
public sealed partial class FlavorCatalog : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<FlavorCatalog> _logger;
    private readonly IDisposable _subscription;
    private volatile FlavorConfig _current;

    public FlavorCatalog(IOptions<FlavorsOptions> initial, IConfiguration configuration, ILogger<FlavorCatalog> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _current = initial.Value.Config;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public FlavorConfig Current => _current;

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        var (config, errors) = FlavorConfigReader.Read(_configuration.GetSection(FlavorConfigReader.SectionPath));
        if (errors.Count > 0)
        {
            Log.ReloadRejected(_logger, string.Join(" ", errors));
            return;
        }
        _current = config;
        Log.Reloaded(_logger, config.Flavors.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.FlavorsReloaded, Level = LogLevel.Information, Message = "Flavor configuration reloaded ({Count} flavors)")]
        public static partial void Reloaded(ILogger logger, int count);

        [LoggerMessage(EventId = LogEvents.FlavorsReloadRejected, Level = LogLevel.Error, Message = "Changed flavor configuration ignored, the previous one stays in force: {Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}
