using Outpost.Backends;

namespace Outpost.Servers;

/// <summary>The "stop a server" use case: <see cref="ServerStopper"/>'s stop, as one of the answers a hub knows.</summary>
public sealed class StopServer(ServerStopper stopper)
{
    /// <summary>Stops the server; with <paramref name="waitForStop"/> the answer waits (with its logs when <paramref name="collectLogs"/>).</summary>
    public async Task<StopServerResult> RunAsync(ServerKey key, bool collectLogs, bool waitForStop, CancellationToken cancellationToken)
    {
        try
        {
            var logs = await stopper.StopAsync(key, collectLogs, waitForStop, cancellationToken);
            return logs is null ? new StopServerResult.NotFound()
                : waitForStop ? new StopServerResult.Stopped(logs)
                : new StopServerResult.Accepted();
        }
        catch (BackendException ex)
        {
            return new StopServerResult.Refused(Refusal.From(ex));
        }
    }
}
