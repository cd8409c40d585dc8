namespace Outpost.Servers;

/// <summary>Forgets a server that no longer runs: its row, its private folder and its auth state.</summary>
public sealed class ServerRemoval(Storage.IServerStore store, ServerWorkspace workspace, AuthStateCache authStates)
{
    public async Task RemoveAsync(ServerRecord record)
    {
        await store.DeleteAsync(record.Id, CancellationToken.None);
        workspace.Remove(record);
        authStates.Remove(record.Key);
    }
}
