using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Outpost.Tunnels;

/// <summary>Recovers the saved forwards at start, then runs a healing pass every check interval.</summary>
public sealed class TunnelHealer(TunnelManager manager, TunnelServeOptions options, ILogger<TunnelHealer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await manager.RecoverAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.CheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await manager.HealAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One bad pass must not end healing for the life of the service.
                logger.LogError(ex, "A healing pass failed");
            }
        }
    }
}
