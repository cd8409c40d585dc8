using Outpost.Events;
using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>What the runtime-limit sweep does to a server: stop one whose runtime is over, remove a failed one nobody collected.</summary>
public sealed class ServerExpiry(IServerStore store, ServerSpecCodec codec, ServerEvents events, ServerLocks locks, ServerStopper stopper, ServerRemoval removal)
{
    /// <summary>Stops a server whose runtime limit has passed, telling the hub why.</summary>
    public async Task ExpireAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        var spec = codec.Unprotect(record.ProtectedSpec);
        var runtime = spec.RuntimeLimit is { } limit ? $" of {limit}" : "";
        await events.RecordAsync(record.Key, spec, new ProgressEvent(100, $"The server reached its runtime limit{runtime} and was stopped."), cancellationToken);
        await stopper.StopAndRemoveAsync(record.Key, collectLogs: false, cancellationToken);
    }

    /// <summary>Removes a server whose start failed (nothing of it runs), unless it has changed meanwhile.</summary>
    public async Task RemoveFailedAsync(ServerRecord record, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(record.Key, cancellationToken))
        {
            if (await store.FindByIdAsync(record.Id, cancellationToken) is not { Phase: ServerPhase.Failed } current)
            {
                return;
            }
            await removal.RemoveAsync(current);
        }
    }
}
