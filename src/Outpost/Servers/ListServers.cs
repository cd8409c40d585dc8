using Outpost.Storage;

namespace Outpost.Servers;

/// <summary>The "list a hub's servers" use case.</summary>
public sealed class ListServers(IServerStore store)
{
    public async Task<ServerSummary[]> RunAsync(string hub, CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(hub, cancellationToken)).Select(ServerSummary.From)];
}
