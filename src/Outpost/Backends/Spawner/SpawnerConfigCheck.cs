using Outpost.Operations;

namespace Outpost.Backends.Spawner;

/// <summary>
/// At start-up, starts each spawner backend's host and has it load its configuration file, so a Python error in the
/// file is in the log at once, with file and line. The Outpost keeps serving either way: the file is read again for
/// every start, and a start fails with the same message until it is fixed.
/// </summary>
internal sealed partial class SpawnerConfigCheck(IEnumerable<IBackend> backends, ILogger<SpawnerConfigCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var backend in backends.OfType<SpawnerBackend>())
        {
            _ = Task.Run(() => CheckAsync(backend));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CheckAsync(SpawnerBackend backend)
    {
        try
        {
            var spawnerClass = await backend.CheckConfigAsync(CancellationToken.None);
            Log.ConfigLoaded(logger, backend.Name, spawnerClass);
        }
        catch (Exception ex) when (ex is SpawnerCallException or SpawnerHostUnavailableException)
        {
            Log.ConfigInvalid(logger, backend.Name, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SpawnerConfigLoaded, Level = LogLevel.Information, Message = "Spawner backend {Backend} runs {SpawnerClass}")]
        public static partial void ConfigLoaded(ILogger logger, string backend, string spawnerClass);

        [LoggerMessage(EventId = LogEvents.SpawnerConfigInvalid, Level = LogLevel.Error, Message = "Spawner backend {Backend} cannot start servers until its configuration is fixed: {Error}")]
        public static partial void ConfigInvalid(ILogger logger, string backend, string error);
    }
}
