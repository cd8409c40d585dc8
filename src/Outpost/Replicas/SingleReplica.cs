namespace Outpost.Replicas;

/// <summary>
/// Leadership with SQLite: the database is a local file used by one process, so this process leads
/// from the start and is the only live replica.
/// </summary>
public sealed class SingleReplica(ReplicaIdentity identity) : ILeadership
{
    public bool IsReplicated => false;

    public bool IsLeader => true;

    public async Task RunWhileLeaderAsync(Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        try
        {
            await work(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    public Task<bool> IsAliveAsync(string? replica, CancellationToken cancellationToken) => Task.FromResult(replica == identity.Id);
}
