using Outpost.Backends;

namespace Outpost.IntegrationTests.Fakes;

/// <summary>A backend that starts nothing: for tests about the Outpost itself (quotas, policy), not about processes.</summary>
public sealed class InstantBackend : IBackend
{
    public const string BackendName = "Instant";
    private int _running;

    public string Name => BackendName;

    public int Running => Volatile.Read(ref _running);

    public async Task<BackendStartResult> StartAsync(BackendStartRequest request, IStartContext context, CancellationToken cancellationToken)
    {
        var handle = new BackendHandle(request.ResourceName);
        await context.SaveHandleAsync(handle, cancellationToken);
        Interlocked.Increment(ref _running);
        return new BackendStartResult(handle, "127.0.0.1:9");
    }

    public Task<BackendStatus> GetStatusAsync(BackendHandle handle, CancellationToken cancellationToken) => Task.FromResult(BackendStatus.Running);

    public Task StopAsync(BackendHandle handle, CancellationToken cancellationToken)
    {
        Interlocked.Decrement(ref _running);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> GetLogsAsync(BackendHandle handle, int maxLines, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
