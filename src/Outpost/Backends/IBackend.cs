using Outpost.Events;
using Outpost.Servers;

namespace Outpost.Backends;

/// <summary>
/// A way of running single-user servers (a local process, a pod, a batch job, a container).
/// Implementations keep no state that cannot be rebuilt from a <see cref="BackendHandle"/>,
/// so a restarted Outpost can adopt what is still running.
/// </summary>
public interface IBackend
{
    /// <summary>Configured name of this backend (see <see cref="BackendNames"/>).</summary>
    string Name { get; }

    /// <summary>
    /// Starts the server. Calls <see cref="IStartContext.SaveHandleAsync"/> as soon as anything exists
    /// that would need cleaning up, and reports progress through the context. On cancellation it
    /// stops waiting and throws; the caller then stops whatever handle was saved.
    /// </summary>
    Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken);

    /// <summary>
    /// What <see cref="StartAsync"/> would refuse in the request itself (a value out of range, an unknown profile),
    /// checked before anything is stored so a refused request leaves nothing behind; null when it would accept it.
    /// </summary>
    string? Check(ServerKey key, ServerSpec spec) => null;

    /// <summary>Observes the server. Transient failures to observe answer <see cref="BackendState.Unknown"/>, never Exited.</summary>
    Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken);

    /// <summary>Stops the server and removes what the backend created for it. Stopping a gone server succeeds.</summary>
    Task StopAsync(BackendHandle handle, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="maxLines"/> lines of the server's output, oldest first.</summary>
    Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken);
}

/// <summary>What a backend may do while a start runs.</summary>
public interface IStartContext
{
    /// <summary>Records a progress event; it is stored, then relayed to the hub.</summary>
    ValueTask ReportAsync(ProgressEvent progressEvent, CancellationToken cancellationToken);

    /// <summary>Persists the handle so that a stop, a restart or a cancelled start can find the server.</summary>
    ValueTask SaveHandleAsync(BackendHandle handle, CancellationToken cancellationToken);
}
