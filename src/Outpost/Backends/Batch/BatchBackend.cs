using Outpost.Servers;

namespace Outpost.Backends.Batch;

/// <summary>
/// What every batch-scheduler backend is: the shared job life (<see cref="BatchJobRunner"/>) plus the two things a
/// scheduler adds, its resources for a request and its script. A new scheduler is a subclass with those two, its
/// <see cref="IBatchScheduler"/> and its options.
/// </summary>
/// <typeparam name="TResources">The scheduler's resolved resources for one job.</typeparam>
public abstract class BatchBackend<TResources> : IBackend
{
    private protected BatchBackend(BatchJobRunner jobs) => Jobs = jobs;

    /// <summary>The shared job life; the scheduler's <c>outpost check</c> runs its commands through it.</summary>
    private protected BatchJobRunner Jobs { get; }

    public abstract string Name { get; }

    /// <summary>The job's resources from the administrator's layers and the request; throws <see cref="BackendException"/> naming the bad field.</summary>
    private protected abstract TResources ResolveResources(string hub, ServerSpec spec);

    /// <summary>The scheduler's script for the common parts and the resources.</summary>
    private protected abstract string RenderScript(JobScriptInput common, TResources resources);

    public string? Check(ServerKey key, ServerSpec spec)
    {
        try
        {
            CheckRequest(key, spec);
            return null;
        }
        catch (BackendException e)
        {
            return e.Message;
        }
    }

    public Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var (user, resources) = CheckRequest(request.Key, request.Spec);
        return Jobs.StartAsync(request, user, context, common => RenderScript(common, resources), cancellationToken);
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        Jobs.GetStatusAsync(handle, cancellationToken);

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken) =>
        Jobs.StopAsync(handle, cancellationToken);

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
        Jobs.GetLogsAsync(handle, maxLines, cancellationToken);

    /// <summary>The system user and resources of a request; throws what a start would refuse.</summary>
    private (string User, TResources Resources) CheckRequest(ServerKey key, ServerSpec spec) =>
        (Jobs.CheckRequest(key, spec), ResolveResources(key.Hub, spec));
}
