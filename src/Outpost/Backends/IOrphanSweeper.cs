namespace Outpost.Backends;

/// <summary>
/// Optional capability of a backend that can list what it runs: after a restart the reconciler passes the handles of
/// every stored server, and the backend reports (and, if so configured, removes) what no stored server owns.
/// </summary>
public interface IOrphanSweeper
{
    /// <summary>Descriptions of the orphans found, e.g. "pod jupyter-x in namespace y".</summary>
    Task<IReadOnlyList<string>> SweepOrphansAsync(IReadOnlyCollection<BackendHandle> owned, CancellationToken cancellationToken);
}
