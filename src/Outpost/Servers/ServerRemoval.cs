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

    /// <summary>
    /// After a failed start: with <paramref name="remove"/> the server is removed (a synchronous start's hub got the
    /// 419 and never polls it, as with the original); otherwise it stays, Failed, for the hub's next poll, and only
    /// its auth state is forgotten.
    /// </summary>
    public async Task ForgetFailedStartAsync(ServerRecord record, bool remove)
    {
        if (remove)
        {
            await RemoveAsync(record);
        }
        else
        {
            authStates.Remove(record.Key);
        }
    }
}
