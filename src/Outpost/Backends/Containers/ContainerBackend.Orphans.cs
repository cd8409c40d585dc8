using Outpost.Backends.Containers.Docker;

namespace Outpost.Backends.Containers;

/// <summary>
/// Orphans: containers labelled with this Outpost's instance name that no stored server owns (a start interrupted
/// between its create and a crash of the store, a server row removed by hand). Older than the grace period, they are
/// removed when <see cref="ContainerBackendOptions.RemoveOrphans"/> is on, else only reported.
/// </summary>
public sealed partial class ContainerBackend : IOrphanSweeper
{
    public async Task<IReadOnlyList<string>> SweepOrphansAsync(IReadOnlyCollection<BackendHandle> owned, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var ownedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in owned)
        {
            try
            {
                ownedNames.Add(ContainerHandle.From(handle).Container);
            }
            catch (BackendException)
            {
                // a handle of another backend
            }
        }
        var containers = await Call(() => docker.ListContainersAsync(ContainerLabels.OfInstance(settings.InstanceName), cancellationToken), "list this Outpost's containers");
        var now = time.GetUtcNow();
        var orphans = new List<string>();
        foreach (var container in containers.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var name = (container.Names?.FirstOrDefault() ?? container.Id).TrimStart('/');
            if (ownedNames.Contains(name) || ownedNames.Contains(container.Id) ||
                now - DateTimeOffset.FromUnixTimeSeconds(container.Created) < TimeSpan.FromSeconds(settings.OrphanGraceSeconds))
            {
                continue;
            }
            orphans.Add($"container {name}");
            Log.Orphan(logger, name, settings.RemoveOrphans);
            if (settings.RemoveOrphans)
            {
                await Call(() => docker.RemoveContainerAsync(container.Id, cancellationToken), $"remove the orphaned container {name}");
            }
        }
        return orphans;
    }
}
